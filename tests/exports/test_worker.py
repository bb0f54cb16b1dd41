"""A real ``celery worker`` builds the export in the workspace's schema; the API follows it to the download."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from exports.models import Export
from tests.conftest import client_for
from tests.exports.conftest import export_started, zip_read
from tests.lifecycle.conftest import eventually

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_a_worker_builds_the_export_and_the_owner_downloads_it(
    broker, start_worker, make_organization, media_root, monkeypatch
):
    from tests.conftest import tenant_user
    from tests.security.factories import workspace_fill

    broker(settings.CELERY_BROKER_URL)
    monkeypatch.setenv("MEDIA_ROOT", str(media_root))  # the worker writes where this test reads
    organization, bystander = make_organization(name="Worker Works"), make_organization(name="Bystander Ltd")
    workspace_fill(organization, "Worker")
    owner = tenant_user(organization, role="owner")
    start_worker(settings.CELERY_BROKER_URL)
    client = client_for(organization, owner)

    started = export_started(organization, owner, client)
    assert started.status_code == 202 and started.json()["export"]["status"] == "queued"
    assert export_started(organization, owner, client).status_code == 409
    done = eventually(lambda: (body := client.get("/api/v1/export").json()["export"])["status"] == "done" and body,
                      what="the worker to build the export")
    assert done["progress"] == 100 and done["size_bytes"] > 0
    response = client.get(done["download_url"])
    content = zip_read(b"".join(response.streaming_content))
    counts = {t["name"]: t["rows"] for t in content["manifest"]["tables"]}
    assert counts["shopfloor_plant"] == counts["shopfloor_workorder"] == counts["accounts_user"] == 1
    assert content["manifest"]["organization"]["schema"] == organization.schema_name
    assert content["tables"]["workspace/shopfloor_plant"]["records"][0]["name"] == "Worker plant"
    assert (media_root / "tenants" / organization.schema_name / "exports").is_dir()
    assert not (media_root / "tenants" / bystander.schema_name).exists()
    with schema_context(bystander.schema_name):
        assert not Export.objects.exists()
