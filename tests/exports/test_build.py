"""The export's zip: every table of the workspace and its public rows, counted, checksummed, streamed to a file.

The build runs in-process here (the test settings' eager Celery, after commit); test_worker.py runs it
in a real worker.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from exports import services, tables
from exports.models import Export
from exports.selectors import export_name
from platform_admin.models import AuditEntry
from subscriptions.models import Subscription, SubscriptionEvent
from tests.exports.conftest import in_schema, zip_read


def export_path(export, schema_name: str | None = None) -> Path:
    """Where the filesystem store keeps the export's zip: MEDIA_ROOT/tenants/<schema>/exports/<uuid>.zip."""
    return Path(settings.MEDIA_ROOT) / "tenants" / export_name(export, schema_name)


def export_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "tenants" / connection.schema_name / "exports"


def _built(organization, owner, django_capture_on_commit_callbacks) -> Export:
    with in_schema(organization), django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(organization=organization, user=owner)
    with in_schema(organization):
        export.refresh_from_db()
    return export


def _count(table: str, schema: str, where: str = "", params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}" {where}', params)
        return cursor.fetchone()[0]


def test_the_zip_holds_every_table_with_the_rows_of_the_database(filled, owner, django_capture_on_commit_callbacks):
    organization = filled
    SubscriptionEvent.objects.create(subscription=organization.subscription, transition="test_note",
                                     from_status="trialing", to_status="trialing")
    export = _built(organization, owner, django_capture_on_commit_callbacks)
    assert (export.status, export.progress, export.error) == ("done", 100, "")
    path = export_path(export, organization.schema_name)
    assert export.size_bytes == path.stat().st_size
    assert export.file_name == f"{organization.schema_name}/exports/{export.uuid}.zip"
    content = zip_read(path.read_bytes())
    manifest, files, read = content["manifest"], content["files"], content["tables"]

    assert manifest["export_id"] == export.pk and manifest["requested_by"] == owner.email
    assert manifest["organization"]["slug"] == organization.slug
    for app in ("exports", "shopfloor", "accounts"):
        assert manifest["schema_version"]["workspace"][app] == _last_migration(app)
    assert "subscriptions" in manifest["schema_version"]["account"]
    assert abs((timezone.now() - timezone.datetime.fromisoformat(manifest["generated_at"])).total_seconds()) < 60
    for table in manifest["tables"]:
        for file in table["files"]:
            assert hashlib.sha256(files[file["path"]]).hexdigest() == file["sha256"]
            assert len(files[file["path"]]) == file["bytes"]
    assert set(files) == {"manifest.json"} | {f["path"] for t in manifest["tables"] for f in t["files"]}

    schema = organization.schema_name
    for table in manifest["tables"]:
        key = f"{table['section']}/{table['name']}"
        assert len(read[key]["rows"]) == len(read[key]["records"]) == table["rows"], key
        assert read[key]["header"] == table["columns"]
        if table["section"] == "workspace":
            assert table["rows"] == _count(table["name"], schema), key
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert counts["accounts_user"] == 3 and counts["shopfloor_plant"] == 1 and counts["shopfloor_ncr"] == 1
    assert counts["exports_export"] == 2  # workspace_fill's finished one, and this one as it stood while running
    assert counts["tenants_organization"] == counts["subscriptions_subscription"] == 1
    events = SubscriptionEvent.objects.filter(subscription__organization=organization).count()
    assert counts["subscriptions_subscriptionevent"] == events >= 2  # the trial's start, and ours
    assert counts["billing_invoices"] == 0  # no Stripe customer yet

    users = read["workspace/accounts_user"]
    assert "password" not in users["header"]
    assert {r["email"] for r in users["records"]} == _emails(organization)
    assert "hold_reason" not in read["account/subscriptions_subscription"]["header"]
    plant = read["workspace/shopfloor_plant"]["records"][0]
    assert (plant["name"], plant["code"]) == ("Victim plant", "VIC-1")
    ncr = read["workspace/shopfloor_ncr"]["records"][0]
    work_order = read["workspace/shopfloor_workorder"]["records"][0]
    assert (ncr["description"], ncr["work_order_id"]) == ("Victim dent", work_order["id"])
    subscription = read["account/subscriptions_subscription"]["records"][0]
    assert subscription["organization_id"] == organization.pk and subscription["status"] == "trialing"
    assert manifest["excluded"]["tables"]["django_session"]
    assert "accounts_user.password" in manifest["excluded"]["columns"]


def _last_migration(app: str) -> str:
    from django.db.migrations.loader import MigrationLoader

    (leaf,) = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes(app)
    return leaf[1]


def _emails(organization) -> set[str]:
    with in_schema(organization):
        return set(User.objects.values_list("email", flat=True))


def test_every_table_of_the_tenant_schema_is_exported_or_left_out_with_a_reason(organization):
    with in_schema(organization):
        in_schema_tables = set(connection.introspection.table_names()) - {"django_migrations"}
        exported = {table.name for table in tables.workspace_tables()}
    assert in_schema_tables == exported | set(tables.EXCLUDED_TABLES)
    assert not exported & set(tables.EXCLUDED_TABLES)


def test_the_csv_guards_spreadsheet_formulas_and_the_json_keeps_the_value(
    organization, owner, django_capture_on_commit_callbacks
):
    from tests.security.factories import MaterialFactory

    with in_schema(organization):
        MaterialFactory(sku="X-1", name='=HYPERLINK("http://evil.example")')
    export = _built(organization, owner, django_capture_on_commit_callbacks)
    read = zip_read(export_path(export, organization.schema_name).read_bytes())["tables"]["workspace/shopfloor_material"]
    column = read["header"].index("name")
    assert read["rows"][0][column] == '\'=HYPERLINK("http://evil.example")'
    assert read["records"][0]["name"] == '=HYPERLINK("http://evil.example")'
    assert read["records"][0]["quantity_on_hand"] == "5.000"


def test_a_failed_build_marks_the_export_failed_and_leaves_no_file(organization, owner, monkeypatch):
    def rows():
        yield (1,)
        raise RuntimeError("disk on fire")

    broken = tables.Table(name="broken", section="workspace", columns=("id",), rows=rows)
    monkeypatch.setattr(services, "export_tables", lambda organization: [*tables.workspace_tables()[:3], broken])
    with in_schema(organization):
        export = Export.objects.create(requested_by=owner)
        with pytest.raises(RuntimeError):
            services.export_build(export_id=export.pk)
        export.refresh_from_db()
        assert export.status == "failed" and export.finished_at and export.file_name == ""
        assert "nothing of it was kept" in export.error and "RuntimeError" in export.error
        assert not export_folder().exists() or list(export_folder().iterdir()) == []


def test_a_build_delivered_twice_builds_once(organization, owner):
    with in_schema(organization):
        export = Export.objects.create(requested_by=owner)
        first = services.export_build(export_id=export.pk)
        finished_at = first.finished_at
        second = services.export_build(export_id=export.pk)
        assert (second.status, second.finished_at) == ("done", finished_at)
        assert [p.name for p in export_folder().iterdir()] == [f"{export.uuid}.zip"]


def test_an_export_that_stopped_moving_is_failed_when_the_next_is_asked(organization, owner):
    with in_schema(organization):
        stuck = Export.objects.create(requested_by=owner, status="running")
        part = export_path(stuck)
        part.parent.mkdir(parents=True)
        part.write_bytes(b"half")
        Export.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=31))
        fresh = services.export_request(organization=organization, user=owner)
        stuck.refresh_from_db()
        assert stuck.status == "failed" and "stopped without finishing" in stuck.error
        assert not part.exists() and fresh.status == "queued"


def test_only_the_newest_three_exports_keep_their_file(organization, owner):
    with in_schema(organization):
        built = []
        for _ in range(4):
            export = Export.objects.create(requested_by=owner)
            built.append(services.export_build(export_id=export.pk))
        for export in built:
            export.refresh_from_db()
        assert [bool(e.file_name) for e in built] == [False, True, True, True]
        assert sorted(p.name for p in export_folder().iterdir()) == sorted(f"{e.uuid}.zip" for e in built[1:])


def test_an_export_request_is_audited_with_its_workspace(organization, owner):
    with in_schema(organization):
        export = services.export_request(organization=organization, user=owner, impersonator="op@unison.example")
    entry = AuditEntry.objects.get(action="export_request", organization_id=organization.pk)
    assert entry.actor_email == owner.email and entry.target_id == str(organization.pk)
    assert entry.details == {"export_id": export.pk, "user_id": owner.pk, "schema": organization.schema_name,
                             "impersonator": "op@unison.example"}
    assert Subscription.objects.filter(organization=organization).exists()
