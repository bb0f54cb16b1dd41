"""A real ``celery worker`` process on Redis runs our tasks against PostgreSQL, in the tenant's schema."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from notifications.models import NotificationLog
from notifications.services import notify
from notifications.tasks import notification_send_task
from subscriptions.models import UsageSnapshot
from subscriptions.tasks import track_usage_for_tenant_task
from tests.conftest import tenant_user
from tests.lifecycle.conftest import eventually, mails_in

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_url(broker) -> str:
    """Use the configured Redis (REDIS_URL, e.g. db 7), on a queue of this test's own."""
    broker(settings.CELERY_BROKER_URL)
    return settings.CELERY_BROKER_URL


def test_a_task_queued_inside_a_tenant_runs_in_that_tenants_schema(redis_url, start_worker, make_organization):
    organization = make_organization(name="Worker Works")
    bystander = make_organization(name="Bystander Ltd")
    tenant_user(organization, role="member")
    tenant_user(organization, role="admin")
    start_worker(redis_url)

    with schema_context(organization.schema_name):
        track_usage_for_tenant_task.apply_async()

    snapshot = eventually(lambda: UsageSnapshot.objects.filter(organization=organization).first())
    assert (snapshot.users, snapshot.plants) == (3, 0)  # counted in Worker Works' schema, not public
    assert not UsageSnapshot.objects.filter(organization=bystander).exists()


def test_the_worker_sends_a_notice_once_even_when_its_task_is_queued_twice(
    redis_url, start_worker, make_organization, mail_dir
):
    organization = make_organization(name="Twice Told")
    owner = tenant_user(organization, role="owner")
    log_id = notify(organization=organization, kind="trial_ending", occasion="3d:2026-12-12", context={"days_left": 3})
    with schema_context(organization.schema_name):
        notification_send_task.apply_async(args=[log_id])  # a duplicate delivery of the same job
    start_worker(redis_url)

    log = eventually(lambda: NotificationLog.objects.filter(pk=log_id, status="sent").first())
    assert log.recipients == [owner.email] and log.attempts == 1
    eventually(lambda: len([m for m in mails_in(mail_dir) if "Subject: Your Unison trial ends in 3 days" in m]) == 1)
    with schema_context(organization.schema_name):
        notification_send_task.apply_async(args=[log_id])  # and once more, after it went out
        track_usage_for_tenant_task.apply_async()  # the solo worker runs jobs in order: this one marks the end
    eventually(lambda: UsageSnapshot.objects.filter(organization=organization).exists())
    messages = [m for m in mails_in(mail_dir) if "trial ends in 3 days" in m]
    assert len(messages) == 1 and f"To: {owner.email}" in messages[0]
