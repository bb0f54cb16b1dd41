"""The beat schedule and the tasks it names: thin wrappers that run the lifecycle services."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import NotificationLog
from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Subscription, UsageSnapshot
from subscriptions.tasks import (
    expire_trials_task,
    track_usage_for_tenant_task,
    track_usage_task,
    warn_trials_task,
)
from tests.conftest import tenant_user
from unison.celery import app


def test_every_scheduled_job_names_a_registered_task(db):
    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {entry["task"] for entry in schedule.values()} <= set(app.tasks)
    assert {"subscriptions.track_usage", "subscriptions.expire_trials", "subscriptions.warn_trials",
            "notifications.resend_waiting"} <= {entry["task"] for entry in schedule.values()}
    usage = schedule["track-usage"]["schedule"]
    assert usage.hour == {0, 6, 12, 18}


def test_a_usage_run_is_followed_by_the_usage_alerts(organization, django_capture_on_commit_callbacks):
    Subscription.objects.filter(organization=organization).update(tier="starter", status="active")
    entitlements_forget(organization)
    tenant_user(organization, role="member")
    tenant_user(organization, role="member")  # 3 of Starter's 3 users

    with django_capture_on_commit_callbacks(execute=True):
        assert track_usage_task.apply().get() >= 1
    assert UsageSnapshot.objects.get(organization=organization).users == 3
    period = timezone.now().strftime("%Y-%m")
    assert NotificationLog.objects.filter(
        organization=organization, kind="usage_alert", occasion=f"users:100:{period}"
    ).exists()


def test_the_trial_tasks_return_what_they_did(organization, time_machine):
    time_machine.move_to(organization.subscription.trial_ends_at - timedelta(days=3) + timedelta(hours=1), tick=False)
    assert warn_trials_task.apply().get() == 1
    assert warn_trials_task.apply().get() == 0
    time_machine.move_to(organization.subscription.trial_ends_at + timedelta(hours=1), tick=False)
    assert expire_trials_task.apply().get() == 1
    assert expire_trials_task.apply().get() == 0


def test_the_tenant_usage_task_measures_only_the_schema_it_was_queued_in(organization, other_organization):
    with schema_context(other_organization.schema_name):
        snapshot_id = track_usage_for_tenant_task.apply().get()
    assert UsageSnapshot.objects.get(pk=snapshot_id).organization_id == other_organization.pk
    assert not UsageSnapshot.objects.filter(organization=organization).exists()


def test_the_tenant_usage_task_refuses_to_run_on_the_public_schema(db):
    result = track_usage_for_tenant_task.apply()
    assert result.failed()
    assert "inside an organisation's schema" in str(result.result)
