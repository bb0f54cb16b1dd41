"""The export API and page as an owner, a teammate and an outsider; while read-only; with the same ids in two tenants."""

from __future__ import annotations

import pytest
from django.test import Client

from exports import services
from exports.models import Export
from platform_admin.models import AuditEntry
from subscriptions.models import Status
from tests.conftest import PASSWORD, client_for, tenant_user
from tests.exports.conftest import export_started, in_schema, zip_read
from tests.shopfloor.conftest import plan_set


def _download(client, url: str, **headers) -> bytes:
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:200]
    assert response.streaming and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def _done(organization, owner, django_capture_on_commit_callbacks) -> dict:
    """Start an export as the owner through the API and let it build; return its status body."""
    client = client_for(organization, owner)
    with django_capture_on_commit_callbacks(execute=True):
        started = export_started(organization, owner, client)
    assert started.status_code == 202, started.content
    body = client.get("/api/v1/export").json()["export"]
    assert body["status"] == "done" and body["download_url"] == f"/api/v1/export/{body['id']}/download"
    return body


def test_before_the_first_export_the_status_is_null(organization, owner):
    assert client_for(organization, owner).get("/api/v1/export").json() == {"export": None}


def test_an_owner_starts_follows_and_downloads_an_export(filled, owner, django_capture_on_commit_callbacks):
    client = client_for(filled, owner)
    body = _done(filled, owner, django_capture_on_commit_callbacks)
    assert (body["progress"], body["requested_by"], body["error"]) == (100, owner.email, "")
    content = zip_read(_download(client, body["download_url"]))
    assert content["manifest"]["organization"]["slug"] == filled.slug
    assert content["tables"]["workspace/shopfloor_plant"]["records"][0]["name"] == "Victim plant"
    audit = AuditEntry.objects.filter(organization_id=filled.pk).order_by("id")
    assert [(e.action, e.actor_email, e.details["export_id"]) for e in audit] == [
        ("export_request", owner.email, body["id"]), ("export_download", owner.email, body["id"])]


def test_the_owners_jwt_works_too(filled, owner, django_capture_on_commit_callbacks):
    body = _done(filled, owner, django_capture_on_commit_callbacks)
    token = client_for(filled).post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD},
                                    content_type="application/json").json()["access"]
    jwt = Client(HTTP_HOST=filled.host)
    assert zip_read(_download(jwt, body["download_url"], HTTP_AUTHORIZATION=f"Bearer {token}"))["manifest"]


@pytest.mark.parametrize("role", ["member", "admin"])
def test_anyone_but_an_owner_is_refused_with_json(organization, owner, role, django_capture_on_commit_callbacks):
    body = _done(organization, owner, django_capture_on_commit_callbacks)
    client = client_for(organization, tenant_user(organization, role=role))
    for response in (client.get("/api/v1/export"), export_started(organization, None, client),
                     client.get(body["download_url"])):
        assert response.status_code == 403
        assert response.json() == {"code": "role_not_allowed",
                                   "detail": "Only an owner of the workspace can export its data."}
    page = client.get("/settings/export/")
    assert page.status_code == 403 and b"Only an owner can export" in page.content
    assert client.post("/settings/export/").status_code == 403
    with in_schema(organization):
        assert Export.objects.count() == 1


def test_a_second_export_while_one_is_queued_is_a_409_that_names_it(organization, owner):
    client = client_for(organization, owner)
    first = export_started(organization, owner, client)  # on_commit never runs here: it stays queued
    assert first.status_code == 202 and first.json()["export"]["status"] == "queued"
    second = export_started(organization, owner, client)
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "export_in_progress"
    assert body["export"] == {"id": first.json()["export"]["id"], "status": "queued", "progress": 0}
    assert body["detail"].startswith(f"Export {body['export']['id']}, asked by {owner.email} at ")
    assert "is still queued (0 % done): wait for it to finish, then ask again." in body["detail"]
    page = client.post("/settings/export/", follow=True)
    assert b"is still queued" in page.content
    with in_schema(organization):
        assert Export.objects.count() == 1
    assert client.get(f"/api/v1/export/{body['export']['id']}/download").json()["code"] == "export_not_ready"


def test_the_database_itself_refuses_a_second_export_in_progress(organization, owner):
    from django.db import IntegrityError, transaction

    with in_schema(organization):
        Export.objects.create(requested_by=owner, status="running")
        with pytest.raises(IntegrityError), transaction.atomic():
            Export.objects.create(requested_by=owner)


def test_bad_input_is_a_4xx_naming_the_problem(organization, owner, django_capture_on_commit_callbacks):
    client = client_for(organization, owner)
    refused = client.post("/api/v1/export", {"tables": ["users"]}, content_type="application/json")
    assert refused.status_code == 400 and refused.json() == {"tables": ["Unknown field."]}
    assert client.post("/api/v1/export", "[1]", content_type="application/json").status_code == 400
    assert client.post("/api/v1/export", "{", content_type="application/json").status_code == 400
    missing = client.get("/api/v1/export/999/download")
    assert missing.status_code == 404 and missing.json()["detail"] == "There is no export 999 in this workspace."
    assert client.get("/api/v1/export/abc/download").status_code == 404
    assert client.delete("/api/v1/export").status_code == 405
    assert client.put("/settings/export/").status_code == 405


def test_a_failed_or_removed_export_cannot_be_downloaded(organization, owner):
    client = client_for(organization, owner)
    with in_schema(organization):
        failed = Export.objects.create(requested_by=owner, status="failed", error="broken")
        removed = Export.objects.create(requested_by=owner, status="done", file_name="")
    refused = client.get(f"/api/v1/export/{failed.pk}/download")
    assert refused.status_code == 409 and refused.json()["detail"] == f"Export {failed.pk} failed: ask for a new one."
    gone = client.get(f"/api/v1/export/{removed.pk}/download")
    assert gone.status_code == 410 and gone.json()["code"] == "export_file_removed"
    assert not AuditEntry.objects.filter(action="export_download").exists()


@pytest.mark.django_db(transaction=True)  # on_commit runs at the service's own commit, inside the request
def test_the_queue_not_answering_fails_the_export_with_a_503(make_organization, broker):
    organization = make_organization()
    owner = tenant_user(organization, role="owner")
    broker("redis://127.0.0.1:1/0")  # nothing listens there
    client = client_for(organization, owner)
    response = export_started(organization, owner, client)
    assert response.status_code == 503, response.content
    assert response.json() == {"code": "export_not_queued", "detail": "The export could not be started (the job "
                               "queue did not answer): try again in a minute."}
    assert client.get("/api/v1/export").json()["export"]["status"] == "failed"
    assert export_started(organization, owner, client).status_code == 503  # a failed one does not block the next (409)


@pytest.mark.parametrize("status", [Status.SUSPENDED, Status.CANCELLED])
def test_a_read_only_workspace_can_still_export(organization, owner, status, django_capture_on_commit_callbacks):
    plan_set(organization, "professional", status)
    client = client_for(organization, owner)
    refused = client.post("/api/v1/plants", {"name": "X", "code": "X-1"}, content_type="application/json")
    assert refused.status_code == 403  # read-only (or not in the plan): writes are refused
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post("/settings/export/", follow=True)
    assert page.status_code == 200 and b"started" in page.content
    body = client.get("/api/v1/export").json()["export"]
    assert body["status"] == "done"
    assert zip_read(_download(client, body["download_url"]))["manifest"]


def test_the_read_only_banner_links_to_the_export_page(organization, owner):
    plan_set(organization, "professional", Status.SUSPENDED)
    page = client_for(organization, owner).get("/settings/export/").content.decode()
    assert '<a href="/settings/export/">export your data</a>' in page


@pytest.fixture
def two_exports(organization, other_organization, owner, outsider, media_root):
    """Return both tenants, each with a finished export of id 1 and its own file."""
    with in_schema(organization):
        victim = services.export_build(export_id=Export.objects.create(requested_by=owner).pk)
    with in_schema(other_organization):
        mine = services.export_build(export_id=Export.objects.create(requested_by=outsider).pk)
    assert victim.pk == mine.pk and victim.uuid != mine.uuid
    return organization, other_organization


def test_another_tenants_user_can_neither_follow_nor_download_an_export_with_the_same_id(two_exports, outsider):
    victim, other = two_exports
    url = "/api/v1/export/1/download"
    session = client_for(other, outsider)
    session.defaults["HTTP_HOST"] = victim.host  # the outsider's session cookie, sent to the victim's host
    assert session.get("/api/v1/export").status_code in (401, 403)
    assert session.get(url).status_code in (401, 403)
    assert session.get("/settings/export/").status_code == 302
    token = client_for(other).post("/api/v1/auth/token", {"email": outsider.email, "password": PASSWORD},
                                   content_type="application/json").json()["access"]
    jwt = Client(HTTP_HOST=victim.host, HTTP_AUTHORIZATION=f"Bearer {token}")
    for response in (jwt.get("/api/v1/export"), jwt.get(url), jwt.post("/api/v1/export")):
        assert response.status_code == 401 and response.json()["detail"] == "This token belongs to another workspace."
    assert not AuditEntry.objects.filter(action="export_download").exists()
    with in_schema(victim):
        assert Export.objects.count() == 1

    own = zip_read(_download(client_for(other, outsider), url))  # the same id on their own host: their own file
    assert own["manifest"]["organization"]["slug"] == other.slug
    assert own["manifest"]["requested_by"] == outsider.email
