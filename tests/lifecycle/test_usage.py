"""Usage tracking across all tenant schemas, the track_usage command, and alerts at 80/90/100 %."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import psycopg
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from notifications.models import NotificationLog
from subscriptions.entitlements import entitlements_forget
from subscriptions.lifecycle import _USAGE_LOCK, threshold_reached, usage_alerts_send, usage_track_all
from subscriptions.models import Subscription, SubscriptionAddOn, UsageSnapshot
from tests.conftest import tenant_user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_each_organization_is_measured_in_its_own_schema(organization, other_organization, media_root):
    tenant_user(organization, role="member")
    tenant_user(organization, role="admin")
    from shopfloor.models import Plant

    with schema_context(organization.schema_name):
        Plant.objects.create(name="Detroit", code="DET-1")
    (media_root / organization.schema_name).mkdir()
    (media_root / organization.schema_name / "drawing.pdf").write_bytes(b"x" * 1234)

    snapshots = {s.organization_id: s for s in usage_track_all(batch_size=1)}

    mine, theirs = snapshots[organization.pk], snapshots[other_organization.pk]
    assert (mine.users, mine.plants, mine.storage_bytes) == (3, 1, 1234)
    assert (theirs.users, theirs.plants, theirs.storage_bytes) == (1, 0, 0)


def test_the_command_shows_progress_and_ends_with_a_summary(organization, other_organization):
    out = StringIO()
    call_command("track_usage", "--batch-size", "1", stdout=out)
    lines = out.getvalue().splitlines()
    total = UsageSnapshot.objects.count()
    assert total >= 2
    assert lines[0].startswith(f"[1/{total}] ")
    assert any(f"] {organization.slug} users=1 plants=0 storage=0B" in line for line in lines)
    assert lines[-1].startswith(f"done: measured {total} organisations in ")
    assert lines[-1].endswith("0 usage alerts queued")


def test_the_command_refuses_a_batch_size_of_zero(db):
    with pytest.raises(CommandError, match="--batch-size must be 1 or more"):
        call_command("track_usage", "--batch-size", "0")


def test_a_second_usage_run_while_one_holds_the_lock_does_nothing(organization):
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"], user=settings_dict["USER"], host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432, autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [_USAGE_LOCK])
        assert usage_track_all() is None
        with pytest.raises(CommandError, match="Another usage run is in progress"):
            call_command("track_usage", stdout=StringIO())
        other.execute("SELECT pg_advisory_unlock(%s)", [_USAGE_LOCK])
    assert not UsageSnapshot.objects.filter(organization=organization).exists()
    assert len(usage_track_all()) >= 1  # once the other run lets go, measuring works again


@pytest.mark.parametrize(
    ("used", "allowed", "expected"),
    [(19, 25, None), (20, 25, 80), (22, 25, 80), (23, 25, 90), (25, 25, 100), (30, 25, 100), (5, None, None), (0, 0, None)],
)
def test_the_threshold_reached_is_the_highest_of_80_90_and_100(used, allowed, expected):
    assert threshold_reached(used, allowed) == expected


def _measured(organization, *, users=1, plants=0, storage_bytes=0) -> None:
    UsageSnapshot.objects.create(organization=organization, users=users, plants=plants, storage_bytes=storage_bytes)


def _alerts(capture) -> list[str]:
    with capture(execute=True):
        usage_alerts_send()
    return sorted(NotificationLog.objects.filter(kind="usage_alert").values_list("occasion", flat=True))


def test_usage_alerts_go_out_once_per_threshold_and_month(
    organization, owner, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False)
    _measured(organization, users=19)  # 76 % of 25
    assert _alerts(django_capture_on_commit_callbacks) == []

    _measured(organization, users=20, plants=4)  # 80 % of 25 users, 80 % of 5 plants
    _alerts(django_capture_on_commit_callbacks)
    assert _alerts(django_capture_on_commit_callbacks) == ["plants:80:2026-11", "users:80:2026-11"]

    _measured(organization, users=23, plants=5)  # 92 %, 100 %
    assert _alerts(django_capture_on_commit_callbacks) == [
        "plants:100:2026-11", "plants:80:2026-11", "users:80:2026-11", "users:90:2026-11",
    ]
    assert len(mail.outbox) == 4 and all(message.to == [owner.email] for message in mail.outbox)
    assert mail.outbox[-1].subject in ("You have used 100% of your plants limit", "You have used 90% of your users limit")

    time_machine.move_to(datetime(2026, 12, 1, 9, tzinfo=UTC), tick=False)
    _alerts(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 6  # a new month: still at 90 % and 100 %, told once more


def test_a_jump_past_two_thresholds_sends_only_the_higher_one(organization, django_capture_on_commit_callbacks):
    _measured(organization, users=24)  # 96 %
    occasions = _alerts(django_capture_on_commit_callbacks)
    assert [occasion.rsplit(":", 1)[0] for occasion in occasions] == ["users:90"]


def test_add_ons_raise_the_limit_the_alerts_measure_against(organization, django_capture_on_commit_callbacks):
    subscription = Subscription.objects.get(organization=organization)
    SubscriptionAddOn.objects.create(subscription=subscription, kind="extra_user", quantity=5, unit_price_cents=500)
    entitlements_forget(organization)
    _measured(organization, users=22)  # 73 % of 30
    assert _alerts(django_capture_on_commit_callbacks) == []
    _measured(organization, users=24)  # 80 % of 30
    assert [o.rsplit(":", 1)[0] for o in _alerts(django_capture_on_commit_callbacks)] == ["users:80"]


def test_suspended_and_unlimited_organizations_get_no_usage_alerts(
    organization, other_organization, django_capture_on_commit_callbacks
):
    Subscription.objects.filter(organization=organization).update(status="suspended")
    Subscription.objects.filter(organization=other_organization).update(tier="enterprise", status="active")
    entitlements_forget(other_organization)
    _measured(organization, users=25)
    _measured(other_organization, users=500, plants=90)
    assert _alerts(django_capture_on_commit_callbacks) == []


def test_one_organizations_usage_never_alerts_another(
    organization, other_organization, outsider, django_capture_on_commit_callbacks
):
    _measured(organization, users=25)
    _measured(other_organization, users=2)
    _alerts(django_capture_on_commit_callbacks)
    assert list(NotificationLog.objects.filter(kind="usage_alert").values_list("organization_id", flat=True)) == [
        organization.pk
    ]
    assert all(outsider.email not in message.to for message in mail.outbox)
