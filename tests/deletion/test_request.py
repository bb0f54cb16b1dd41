"""Asking for a workspace's deletion: owners only, the name typed, once; read-only with a dated banner; undoable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import NotificationLog
from platform_admin.models import AuditEntry
from shopfloor.models import Plant
from tenants.models import Organization
from tests.conftest import billed, client_for
from tests.deletion.conftest import ask

pytestmark = pytest.mark.django_db


def fresh(organization) -> Organization:
    return Organization.objects.get(pk=organization.pk)


def test_the_owner_asks_on_the_page_and_the_workspace_turns_read_only_with_a_dated_banner(organization, owner):
    client = client_for(organization, owner)
    page = client.get("/settings/delete/")
    assert page.status_code == 200 and b"Type <strong>Acme Works</strong> to confirm" in page.content
    assert "read-only</strong> for 30 days" in page.content.decode()

    response = client.post("/settings/delete/", {"confirm_name": "Acme Works"})
    assert response.status_code == 302
    org = fresh(organization)
    assert org.deletion_requested_by == owner.email
    assert org.deletion_due_at - org.deletion_requested_at == timedelta(days=30)
    body = client.get("/plants/").content.decode()
    assert 'data-banner="deletion"' in body and f"{org.deletion_due_at:%-d %b %Y}" in body
    assert "Undo deletion" in body and "Add a plant" not in body.split('<main id="main"', 1)[1]
    refused = client.post("/plants/new/", {"name": "Second", "code": "TWO-1", "time_zone": "UTC", "address": ""})
    assert refused.status_code == 403 and b"being deleted" in refused.content
    with schema_context(organization.schema_name):
        assert not Plant.objects.exists()
    assert client.get("/settings/export/").status_code == 200  # the data can still be taken
    entry = AuditEntry.objects.get(organization_id=organization.pk, action="deletion_request")
    assert entry.actor_email == owner.email


def test_the_owners_are_told_at_once_and_a_week_before(organization, owner):
    from deletion.services import deletions_remind
    from notifications.services import notification_send

    assert ask(client_for(organization, owner), "Acme Works").status_code == 202
    due = fresh(organization).deletion_due_at
    assert deletions_remind(now=due - timedelta(days=8)) == 0
    assert deletions_remind(now=due - timedelta(days=7)) == 1
    assert deletions_remind(now=due - timedelta(days=6)) == 0  # once per deletion
    mail.outbox.clear()
    for kind in ("deletion_requested", "deletion_reminder"):
        notification_send(notification_id=NotificationLog.objects.get(organization=organization, kind=kind).pk)
    assert [m.subject for m in mail.outbox] == [
        f"Your Unison workspace will be deleted on {due:%-d %b %Y}",
        f"Reminder: your Unison workspace will be deleted on {due:%-d %b %Y}",
    ]
    assert all(m.to == [owner.email] and "/settings/delete/" in m.body for m in mail.outbox)


def test_the_api_asks_reports_and_undoes(organization, owner):
    billed(organization, tier="enterprise")  # the data API is an Enterprise feature
    client = client_for(organization, owner)
    assert client.get("/api/v1/deletion").json()["pending"] is False
    response = ask(client, "Acme Works")
    assert response.status_code == 202 and response.json()["pending"] is True
    due = fresh(organization).deletion_due_at
    assert response.json()["due_at"] == due.isoformat().replace("+00:00", "Z")
    assert client.get("/api/v1/deletion").json()["requested_by"] == owner.email
    refused = client.post("/api/v1/plants", {"name": "X", "code": "X-1"}, content_type="application/json")
    assert refused.status_code == 403 and "being deleted" in refused.json().get("detail", "")

    again = ask(client, "Acme Works")
    assert again.status_code == 409 and again.json()["code"] == "deletion_already_requested"
    assert fresh(organization).deletion_due_at == due

    undone = client.delete("/api/v1/deletion")
    assert undone.status_code == 200 and undone.json()["pending"] is False
    assert fresh(organization).deletion_due_at is None
    assert (
        client.post(
            "/api/v1/plants", {"name": "X", "code": "X-1", "time_zone": "UTC"}, content_type="application/json"
        ).status_code
        == 201
    )
    nothing = client.delete("/api/v1/deletion")
    assert nothing.status_code == 409 and nothing.json()["code"] == "no_deletion_pending"
    assert AuditEntry.objects.filter(organization_id=organization.pk, action="deletion_undo").count() == 1


def test_undo_on_the_page_makes_the_workspace_writable_again(organization, owner):
    client = client_for(organization, owner)
    client.post("/settings/delete/", {"confirm_name": "Acme Works"})
    assert b"Deletion asked for" in client.get("/settings/delete/").content
    assert client.post("/settings/delete/undo/").status_code == 302
    assert fresh(organization).deletion_due_at is None
    body = client.get("/plants/").content.decode()
    assert 'data-banner="deletion"' not in body and "Add a plant" in body


def test_a_wrong_name_is_refused_on_the_field_and_nothing_changes(organization, owner):
    client = client_for(organization, owner)
    page = client.post("/settings/delete/", {"confirm_name": "acme works"})
    assert page.status_code == 400
    assert "Type the workspace&#x27;s name exactly as shown, “Acme Works”" in page.content.decode()
    assert 'id="field-confirm_name"' in page.content.decode()
    blank = client.post("/settings/delete/", {"confirm_name": ""})
    assert blank.status_code == 400 and b"This field is required" in blank.content
    api = ask(client, "Acme")
    assert api.status_code == 400 and api.json()["code"] == "confirm_name_mismatch" and "confirm_name" in api.json()
    missing = client.post("/api/v1/deletion", {}, content_type="application/json")
    assert missing.status_code == 400 and "confirm_name" in missing.json()
    unknown = client.post(
        "/api/v1/deletion", {"confirm_name": "Acme Works", "now": True}, content_type="application/json"
    )
    assert unknown.status_code == 400 and unknown.json()["now"] == ["Unknown field."]
    assert fresh(organization).deletion_due_at is None
    assert not AuditEntry.objects.filter(organization_id=organization.pk).exists()
    assert not NotificationLog.objects.filter(organization=organization, kind__startswith="deletion").exists()


@pytest.mark.parametrize("role", ["member", "admin"])
def test_a_non_owner_is_refused_with_a_clear_message_on_the_page_and_the_api(organization, owner, role):
    from tests.conftest import tenant_user

    client = client_for(organization, tenant_user(organization, role=role))
    page = client.get("/settings/delete/")
    assert page.status_code == 403 and b"Only an owner of the workspace can ask for its deletion" in page.content
    assert client.post("/settings/delete/", {"confirm_name": "Acme Works"}).status_code == 403
    api = ask(client, "Acme Works")
    assert api.status_code == 403 and api.json() == {
        "code": "role_not_allowed",
        "detail": "Only an owner of the workspace can ask for its deletion or take it back.",
    }
    assert fresh(organization).deletion_due_at is None
    ask(client_for(organization, owner), "Acme Works")
    assert client.delete("/api/v1/deletion").status_code == 403
    assert client.post("/settings/delete/undo/").status_code == 403
    assert fresh(organization).deletion_due_at is not None


def test_another_tenants_owner_can_neither_ask_nor_undo(organization, owner, other_organization, outsider):
    from tests.conftest import PASSWORD

    own = client_for(other_organization, outsider)
    token = own.post(
        "/api/v1/auth/token", {"email": outsider.email, "password": PASSWORD}, content_type="application/json"
    ).json()["access"]
    victim_host = client_for(organization)
    for attempt in (
        lambda: victim_host.post(
            "/api/v1/deletion",
            {"confirm_name": "Acme Works"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ),
        lambda: victim_host.post("/settings/delete/", {"confirm_name": "Acme Works"}),
    ):
        assert attempt().status_code in (302, 401, 403)
    assert fresh(organization).deletion_due_at is None
    ask(client_for(organization, owner), "Acme Works")
    assert victim_host.delete("/api/v1/deletion", HTTP_AUTHORIZATION=f"Bearer {token}").status_code in (401, 403)
    assert victim_host.post("/settings/delete/undo/").status_code == 302  # to sign in
    assert fresh(organization).deletion_due_at is not None
    assert fresh(other_organization).deletion_due_at is None
    # Their own workspace's name on their own host is theirs to ask about, not ours.
    assert ask(own, "Acme Works").status_code == 400


def test_undo_is_refused_once_the_grace_period_is_over(organization, owner):
    ask(client_for(organization, owner), "Acme Works")
    Organization.objects.filter(pk=organization.pk).update(deletion_due_at=timezone.now() - timedelta(minutes=1))
    from deletion.services import deletion_undo
    from unison.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        deletion_undo(organization=fresh(organization), user=owner)
    assert refused.value.code == "deletion_under_way" and refused.value.status == 409


def test_a_pending_deletion_adds_no_query_to_a_page(organization, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(organization, owner)

    def queries(url: str) -> int:
        client.get(url)  # warm the caches, as the pinned counts do (tests/shopfloor/test_query_counts.py)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    before = {url: queries(url) for url in ("/plants/", "/work-orders/", "/settings/export/")}
    ask(client, "Acme Works")
    assert {url: queries(url) for url in before} == before
    assert 'data-banner="deletion"' in client.get("/plants/").content.decode()
