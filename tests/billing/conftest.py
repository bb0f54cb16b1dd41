"""Billing fixtures: a localstripe server for the session, the catalog in it, webhooks into a live server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def webhook_worker(django_db_setup, stripe_server, tmp_path_factory):
    """Run a real Celery worker (solo) on the test database and a queue of this session's own; yield the queue.

    The webhook endpoint only verifies and stores events; this worker applies them. Tests that
    use it send tasks to its queue through ``webhooks``; the app's settings are left alone here,
    so tests run later in this process still run their tasks eagerly.
    """
    from django.db import connection

    from unison.celery import app

    queue = f"billing-test-{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "unison.settings.test", "CELERY_QUEUE": queue,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": app.conf.broker_url, "CELERY_TASK_ALWAYS_EAGER": "0", "STRIPE_API_BASE": stripe_server.url,
    }
    log = open(tmp_path_factory.mktemp("worker") / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "unison", "worker", "-P", "solo", "-Q", queue, "-l", "info",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"billing-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    yield queue
    worker.terminate()
    worker.wait(timeout=15)
    log.close()


def settled(timeout: float = 30) -> None:
    """Wait until the worker has processed every verified webhook stored so far."""
    from djstripe.models import WebhookEventTrigger

    pending = WebhookEventTrigger.objects.filter(valid=True, processed=False, exception="")
    wait_for(lambda: not pending.exists(), timeout=timeout, what="the worker to process the webhooks")


@pytest.fixture
def webhooks(transactional_db, live_server, stripe_catalog, webhook_worker, settings):
    """Register our endpoint on the live server with localstripe, tasks going to the worker; yield the endpoint."""
    from billing.services import stripe_webhook_setup
    from unison.celery import app

    saved = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = webhook_worker, False
    try:
        settings.UNISON_PORT = str(live_server.thread.port)
        endpoint, _ = stripe_webhook_setup(base_url=live_server.url)
        yield endpoint
        stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")
        # Let deliveries already under way, and the worker, finish before pytest-django empties the tables.
        time.sleep(1.2)
        settled()
    finally:
        app.conf.task_default_queue, app.conf.task_always_eager = saved


def wait_for(check, *, timeout: float = 90, what: str = "the condition"):
    """Poll ``check()`` until it returns a truthy value and return it; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def held_webhooks(webhooks, stripe_server):
    """Keep localstripe from sending events, so the test delivers them itself; yield the endpoint."""
    stripe_server.call("POST", "/_test/webhooks/hold", on="true")
    yield webhooks
    stripe_server.call("POST", "/_test/webhooks/hold", on="false")


def webhook_url(live_server, endpoint) -> str:
    return f"{live_server.url}/stripe/webhook/{endpoint.djstripe_uuid}/"


def paying_customer(organization, stripe_server) -> str:
    """Give the organisation its Stripe customer and return the id."""
    from billing.services import billing_customer_ensure

    return billing_customer_ensure(organization=organization)
