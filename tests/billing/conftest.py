"""Billing fixtures: a localstripe server for the session, the catalog in it, webhooks into a live server."""

from __future__ import annotations

import os
import time

import pytest
from django.conf import settings

from tests.stripe_server.process import StripeServer


@pytest.fixture(scope="session")
def stripe_server():
    """Run localstripe (with our extension) for the whole session and point Stripe calls at it."""
    server = StripeServer(log_path=os.environ.get("LOCALSTRIPE_LOG"))
    original = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = server.url
    yield server
    settings.STRIPE_API_BASE = original
    server.stop()


@pytest.fixture
def stripe_catalog(stripe_server):
    """Make sure the catalog's products and prices exist in localstripe."""
    from billing.catalog_sync import stripe_catalog_sync

    stripe_catalog_sync()
    return stripe_server


@pytest.fixture
def webhooks(transactional_db, live_server, stripe_catalog, settings):
    """Register dj-stripe's endpoint on the live server with localstripe; yield the endpoint."""
    from billing.services import stripe_webhook_setup

    settings.UNISON_PORT = str(live_server.thread.port)
    endpoint, _ = stripe_webhook_setup(base_url=live_server.url)
    yield endpoint
    stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")
    # Let deliveries already under way finish before pytest-django empties the tables under them.
    time.sleep(1.5)


def wait_for(check, *, timeout: float = 20, what: str = "the condition"):
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
