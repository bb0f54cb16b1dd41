"""Processing a stored webhook (what the Celery task does), in-process, against localstripe.

The webhook arrives through our endpoint in the test client; the worker's drain is then called
directly so the test controls when it runs. Stripe "down" is the gateway pointed at a closed port.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from djstripe.models import WebhookEventTrigger

from billing.models import WebhookOutcome
from billing.services import billing_checkout_start, stripe_webhook_setup, webhooks_drain
from devstripe.delivery import signature_header
from devstripe.process import GOOD_CARD
from subscriptions.models import Subscription
from unison.celery import app as celery_app

pytestmark = pytest.mark.stripe


@pytest.fixture
def stored_checkout_event(stripe_catalog, organization, public_client):
    """Complete a checkout in localstripe and post its event to the endpoint; return the stored trigger.

    Celery is not eager here, so the endpoint wakes the worker after commit, which never comes
    inside the test's transaction: the test runs the worker's drain itself.
    """
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, False
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="true")
    endpoint, _ = stripe_webhook_setup(base_url="http://localhost")
    try:
        url = billing_checkout_start(organization=organization, tier="starter", billing_cycle="annual",
                                     success_url="http://x/ok", cancel_url="http://x/no")
        session = stripe_catalog.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)
        event = next(e for e in stripe_catalog.call("GET", f"/_test/customers/{session['customer']}/events")["data"]
                     if e["type"] == "checkout.session.completed")
        body = json.dumps(event).encode()
        response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}/", body,
                                      content_type="application/json",
                                      HTTP_STRIPE_SIGNATURE=signature_header(body, endpoint.secret))
        assert response.status_code == 200
        yield WebhookEventTrigger.objects.get(pk=int(response.content))
    finally:
        stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")
        stripe_catalog.call("POST", "/_test/webhooks/hold", on="false")
        celery_app.conf.task_always_eager = eager


def test_the_endpoint_stores_a_verified_event_for_the_worker_without_applying_it(stored_checkout_event, organization):
    assert stored_checkout_event.valid and not stored_checkout_event.processed
    assert Subscription.objects.get(organization=organization).status == "trialing"


def test_a_webhook_processed_while_stripe_is_down_is_recorded_changes_nothing_and_a_retry_applies_it(
    stored_checkout_event, organization, settings
):
    working = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    assert webhooks_drain() == 0

    stored_checkout_event.refresh_from_db()
    assert stored_checkout_event.exception and not stored_checkout_event.processed
    assert Subscription.objects.get(organization=organization).status == "trialing"
    assert not WebhookOutcome.objects.filter(event_id=stored_checkout_event.json_body["id"]).exists()

    settings.STRIPE_API_BASE = working
    assert webhooks_drain() == 0, "a failed event waits for the sweep's retry"
    assert webhooks_drain(retry_failed_before=timezone.now()) == 1

    subscription = Subscription.objects.get(organization=organization)
    # The checkout kept the trial: Stripe runs it on the chosen plan, and bills nothing until it ends.
    assert (subscription.status, subscription.tier, subscription.billing_cycle) == ("trialing", "starter", "annual")
    assert subscription.stripe_subscription_id.startswith("sub_") and subscription.mrr_cents == 0
    stored_checkout_event.refresh_from_db()
    assert stored_checkout_event.processed


def test_operators_see_each_events_outcome_in_the_console(stored_checkout_event, organization, public_client):
    from accounts.models import User

    webhooks_drain()
    operator = User.objects.create_superuser(email="ops@unison.example.com", password="operator-pass-123")
    public_client.force_login(operator)

    page = public_client.get("/admin/billing/webhookoutcome/")

    assert page.status_code == 200
    outcome = WebhookOutcome.objects.get(event_id=stored_checkout_event.json_body["id"])
    assert outcome.event_id in page.content.decode()
    assert (outcome.organization, outcome.result) == (organization, "applied")
    assert "start_paid_trial: stays trialing, starter (annual)" in outcome.detail


def test_events_are_applied_one_at_a_time_a_drain_waits_while_another_worker_applies_one(
    stored_checkout_event, organization
):
    import psycopg
    from django.db import OperationalError, connection

    from billing.services.drain import WEBHOOKS_LOCK

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as other_worker:
        other_worker.execute("SELECT pg_advisory_lock(%s)", [WEBHOOKS_LOCK])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")  # undone with the test's transaction
        with pytest.raises(OperationalError, match="lock timeout"):
            webhooks_drain()
        assert Subscription.objects.get(organization=organization).status == "trialing"
        other_worker.execute("SELECT pg_advisory_unlock(%s)", [WEBHOOKS_LOCK])

    assert webhooks_drain() == 1
    assert Subscription.objects.get(organization=organization).stripe_subscription_id.startswith("sub_")
