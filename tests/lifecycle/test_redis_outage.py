"""Redis stops: web requests still succeed and notices wait in the outbox; Redis returns: they go out.

Uses a redis-server of the test's own on a free port (never the shared one), and a
real Celery worker once Redis is back.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from notifications.models import NotificationLog
from notifications.services import notification_enqueue, notify
from notifications.tasks import notifications_resend_task
from tenants.models import Organization
from tests.conftest import PASSWORD, unique_slug
from tests.lifecycle.conftest import eventually, mails_in

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _signup(slug: str):
    data = {
        "organization_name": "Outage Works",
        "subdomain": slug,
        "full_name": "Ola Outage",
        "email": f"ola@{slug}.example.com",
        "password": PASSWORD,
        "industry": "machinery",
    }
    return Client(HTTP_HOST="localhost").post("/signup/", data)


def test_with_redis_down_requests_succeed_and_the_notices_go_out_when_it_returns(
    own_redis, broker, start_worker, mail_dir
):
    broker(own_redis.url)
    own_redis.stop()

    slug = unique_slug("outage")
    response = _signup(slug)  # the signup commits, and its welcome notice cannot reach the broker
    assert response.status_code == 302
    organization = Organization.objects.get(slug=slug)
    signed_in = Client(HTTP_HOST=organization.host)
    assert signed_in.get(response["Location"]).status_code == 302
    assert signed_in.get("/", follow=True).status_code == 200  # and the new workspace works

    notify(organization=organization, kind="usage_alert", occasion="users:80:2026-11", context={"limit": "users", "threshold": 80})
    waiting = NotificationLog.objects.filter(organization=organization)
    assert sorted(waiting.values_list("kind", "status")) == [("usage_alert", "queued"), ("welcome", "queued")]
    assert notification_enqueue(notification_id=waiting.first().pk, schema_name=organization.schema_name) is False

    own_redis.start()  # same port: Redis is back
    start_worker(own_redis.url)
    notifications_resend_task.apply_async(kwargs={"older_than_seconds": 0})  # what beat does every minute

    eventually(lambda: not waiting.exclude(status="sent").exists(), what="both notices to be sent")
    with schema_context(organization.schema_name):
        owner = User.objects.get(role="owner")
    messages = mails_in(mail_dir)
    assert sorted(m.split("Subject: ")[1].splitlines()[0] for m in messages) == [
        "Welcome to Unison: your free trial has started",
        "You have used 80% of your users limit",
    ]
    assert all(f"To: {owner.email}" in m for m in messages)
