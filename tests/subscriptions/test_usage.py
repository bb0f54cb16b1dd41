"""Usage measured from each tenant's schema and files, in one query for many, stored as snapshots."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from subscriptions.catalog import GB, Limits
from subscriptions.models import UsageSnapshot
from subscriptions.selectors import limit_violations, usage_percentages, usage_summary
from subscriptions.usage import Usage, usage_measure, usage_measure_many, usage_record
from tests.conftest import tenant_user
from tests.media import tenant_media_root


def add_plant(organization, code: str) -> None:
    with schema_context(organization.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shopfloor_plant (name, code, time_zone, address, created_at) VALUES (%s, %s, 'UTC', '', now())",
            [f"Plant {code}", code],
        )


def test_usage_counts_each_tenants_own_users_plants_and_files(organization, other_organization, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    tenant_user(organization)
    add_plant(organization, "P-1")
    add_plant(organization, "P-2")
    folder = tenant_media_root(organization) / "a" / "b"
    folder.mkdir(parents=True)
    (folder / "one.bin").write_bytes(b"1" * 300)
    (tenant_media_root(organization) / "two.bin").write_bytes(b"2" * 200)
    assert usage_measure(organization) == Usage(users=2, plants=2, storage_bytes=500)
    assert usage_measure(other_organization) == Usage(users=1, plants=0, storage_bytes=0)


def test_many_organisations_are_counted_with_one_query(make_organization, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    organizations = [make_organization() for _ in range(4)]
    tenant_user(organizations[2])
    add_plant(organizations[3], "P-9")
    with CaptureQueriesContext(connection) as queries:
        measured = usage_measure_many(organizations)
    sent = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(sent) == 1 and sent[0].count("UNION ALL") == 3
    assert [measured[o.pk] for o in organizations] == [
        Usage(1, 0, 0),
        Usage(1, 0, 0),
        Usage(2, 0, 0),
        Usage(1, 1, 0),
    ]


def test_a_snapshot_is_stored_with_its_time(organization, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    snapshot = usage_record(organization)
    stored = UsageSnapshot.objects.get(pk=snapshot.pk)
    assert (stored.organization_id, stored.users, stored.plants, stored.storage_bytes) == (organization.pk, 1, 0, 0)
    assert stored.measured_at is not None


def test_usage_percentages_and_violations_against_the_plan(organization, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    assert usage_percentages(Usage(2, 5, GB), Limits(3, 5, None)) == {
        "users": 66.7,
        "plants": 100.0,
        "storage_bytes": None,
    }
    for _ in range(25):
        tenant_user(organization)
    violations = limit_violations(organization)
    assert [(v.resource, v.used, v.limit) for v in violations] == [("users", 26, 25)]
    assert violations[0].message == "You have 26 users; Professional allows 25."
    summary = usage_summary(organization)
    assert summary["users"] == {"used": 26, "limit": 25, "percent": 104.0}
    assert summary["violations"][0]["resource"] == "users"
