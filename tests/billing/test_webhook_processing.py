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
from tests.signin import console_sign_in
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
    console_sign_in(public_client, operator, "operator-pass-123")

    page = public_client.get("/admin/billing/webhookoutcome/")

    assert page.status_code == 200
    outcome = WebhookOutcome.objects.get(event_id=stored_checkout_event.json_body["id"])
    assert outcome.event_id in page.content.decode()
    assert (outcome.organization, outcome.result) == (organization, "applied")
    assert "start_paid_trial: stays trialing, starter (annual)" in outcome.detail


def customer_events(stripe_catalog, organization) -> tuple[str, list[dict]]:
    """Check the organisation out in localstripe (delivery held); return its customer and its events, in order."""
    from billing.services import SUBSCRIBED_EVENTS

    url = billing_checkout_start(organization=organization, tier="starter", billing_cycle="monthly",
                                 success_url="http://x/ok", cancel_url="http://x/no")
    session = stripe_catalog.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)
    events = stripe_catalog.call("GET", f"/_test/customers/{session['customer']}/events")["data"]
    return session["customer"], [e for e in events if e["type"] in SUBSCRIBED_EVENTS]


def store(public_client, endpoint, event: dict) -> WebhookEventTrigger:
    body = json.dumps(event).encode()
    response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}/", body, content_type="application/json",
                                  HTTP_STRIPE_SIGNATURE=signature_header(body, endpoint.secret))
    assert response.status_code == 200
    return WebhookEventTrigger.objects.get(pk=int(response.content))


@pytest.fixture
def held_endpoint(db, stripe_catalog):
    """An endpoint whose events are stored, not applied, until the test drains (Celery not eager, delivery held)."""
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, False
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="true")
    endpoint, _ = stripe_webhook_setup(base_url="http://localhost")
    yield endpoint
    stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="false")
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def other_worker():
    """A second connection, as another worker would hold a customer's lock while it applies an event."""
    import psycopg
    from django.db import connection

    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as other:
        yield other


def lock(other_worker, customer_id: str, *, on: bool) -> None:
    from billing.services.drain import customer_lock_key

    function = "pg_advisory_lock" if on else "pg_advisory_unlock"
    other_worker.execute(f"SELECT {function}(hashtext(%s))", [customer_lock_key(customer_id)])


def test_each_event_is_filed_under_its_customer():
    from billing.services.drain import NO_CUSTOMER, event_customer

    assert event_customer({"data": {"object": {"object": "customer", "id": "cus_A"}}}) == "cus_A"
    assert event_customer({"data": {"object": {"object": "invoice", "customer": "cus_B"}}}) == "cus_B"
    assert event_customer({"data": {"object": {"object": "subscription", "customer": {"id": "cus_C"}}}}) == "cus_C"
    assert event_customer({"data": {"object": {"object": "price", "id": "price_1"}}}) == NO_CUSTOMER
    assert event_customer({}) == NO_CUSTOMER


def test_while_a_worker_holds_one_customer_another_customers_events_are_applied_and_none_of_the_first_ones(
    stripe_catalog, held_endpoint, organization, other_organization, public_client, other_worker
):
    held_customer, held_events = customer_events(stripe_catalog, organization)
    free_customer, free_events = customer_events(stripe_catalog, other_organization)
    assert len(held_events) >= 2 and held_customer != free_customer
    # Interleaved, the held customer's first: a drain must not skip ahead to its later events.
    held = [store(public_client, held_endpoint, e) for e in held_events]
    free = [store(public_client, held_endpoint, e) for e in free_events]

    lock(other_worker, held_customer, on=True)
    assert webhooks_drain() == len(free), "the drain does not wait for the held customer"

    assert all(t.processed for t in WebhookEventTrigger.objects.filter(pk__in=[t.pk for t in free]))
    assert not any(t.processed for t in WebhookEventTrigger.objects.filter(pk__in=[t.pk for t in held]))
    assert Subscription.objects.get(organization=other_organization).stripe_subscription_id.startswith("sub_")
    assert not Subscription.objects.get(organization=organization).stripe_subscription_id

    lock(other_worker, held_customer, on=False)
    assert webhooks_drain() == len(held)
    assert Subscription.objects.get(organization=organization).stripe_subscription_id.startswith("sub_")
    assert webhooks_drain() == 0, "each event is applied once"


def test_one_customers_events_are_applied_in_the_order_they_arrived(
    stripe_catalog, held_endpoint, organization, other_organization, public_client
):
    first_customer, first_events = customer_events(stripe_catalog, organization)
    _, second_events = customer_events(stripe_catalog, other_organization)
    # Arrival interleaves the two customers, each one's own events in Stripe's order.
    arrivals = [e for pair in zip(first_events, second_events, strict=False) for e in pair]
    arrivals += first_events[len(second_events):] + second_events[len(first_events):]
    triggers = [store(public_client, held_endpoint, e) for e in arrivals]

    assert webhooks_drain() == len(triggers)

    from djstripe.models import Event

    applied = {e.id: e.djstripe_id for e in Event.objects.filter(id__in=[e["id"] for e in arrivals])}
    for events in (first_events, second_events):
        order = [applied[e["id"]] for e in events]
        assert order == sorted(order), "a customer's events are applied in arrival order"
