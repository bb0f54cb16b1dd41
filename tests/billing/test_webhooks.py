"""Stripe webhooks over real HTTP into the live server: order, repeats, signatures, strangers.

Real: localstripe's customers, subscriptions, invoices, payments and events; dj-stripe's signed
endpoint; a Celery worker process that handles what the endpoint stored. Emulated by devstripe/extension.py: prices by lookup key, trials, checkout
completion, renewals and retries on demand, and holding delivery so that this module delivers
the events itself (signed as Stripe signs them) in the order it wants.
"""

from __future__ import annotations

import time

import pytest
from djstripe.models import Event, WebhookEventTrigger

from billing.models import WebhookOutcome
from billing.services import HANDLED_EVENTS, SUBSCRIBED_EVENTS, billing_checkout_start, billing_event_apply
from devstripe.delivery import deliver
from devstripe.process import DECLINED_CARD, GOOD_CARD
from subscriptions.models import Subscription, SubscriptionEvent
from tests.billing.conftest import paying_customer, settled, webhook_url
from tests.conftest import unique_slug

pytestmark = pytest.mark.stripe

FIELDS = ("status", "tier", "billing_cycle", "failed_payment_count", "cancel_at_period_end",
          "stripe_subscription_id", "last_paid_invoice_id")


def _run_a_year_of_billing(organization, stripe_server) -> list[dict]:
    """Drive a subscription through Stripe while delivery is held; return its events, oldest first."""
    customer_id = paying_customer(organization, stripe_server)
    url = billing_checkout_start(organization=organization, tier="starter", billing_cycle="monthly",
                                 add_ons={"extra_plant": 1}, success_url="http://x/ok", cancel_url="http://x/no")
    session = stripe_server.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)
    sub_id = session["subscription"]
    stripe_server.call("POST", f"/_test/subscriptions/{sub_id}/renew")
    stripe_server.call("POST", f"/_test/customers/{customer_id}/card", number=DECLINED_CARD)
    failing = stripe_server.call("POST", f"/_test/subscriptions/{sub_id}/renew")
    for _ in range(2):
        stripe_server.call("POST", f"/_test/invoices/{failing['id']}/retry")
    stripe_server.call("POST", f"/_test/customers/{customer_id}/card", number=GOOD_CARD)
    stripe_server.call("POST", f"/_test/invoices/{failing['id']}/retry")
    current = stripe_server.call("GET", f"/v1/subscriptions/{sub_id}")
    professional = stripe_server.call("GET", "/v1/prices?lookup_keys[]=professional_monthly")["data"][0]
    tier_item = next(i for i in current["items"]["data"] if i["price"]["lookup_key"] == "starter_monthly")
    stripe_server.call("POST", f"/v1/subscriptions/{sub_id}", **{
        "items[0][id]": tier_item["id"], "items[0][price]": professional["id"],
        "proration_behavior": "create_prorations"})
    stripe_server.call("POST", f"/v1/subscriptions/{sub_id}", cancel_at_period_end="true")
    events = stripe_server.call("GET", f"/_test/customers/{customer_id}/events")["data"]
    return [e for e in events if e["type"] in SUBSCRIBED_EVENTS]


def _state(organization) -> dict:
    subscription = Subscription.objects.get(organization=organization)
    state = {field: getattr(subscription, field) for field in FIELDS}
    state["stripe_subscription_id"] = bool(state["stripe_subscription_id"])
    state["last_paid_invoice_id"] = bool(state["last_paid_invoice_id"])
    state["add_ons"] = sorted(subscription.add_ons.filter(removed_at__isnull=True).values_list("kind", "quantity"))
    return state


def test_events_repeated_and_in_reverse_order_end_like_one_delivery_in_order(
    held_webhooks, stripe_server, live_server, make_organization
):
    in_order, reversed_twice = make_organization(slug=unique_slug("inorder")), make_organization(slug=unique_slug("rev"))
    url = webhook_url(live_server, held_webhooks)

    for event in _run_a_year_of_billing(in_order, stripe_server):
        assert deliver(url, event, held_webhooks.secret).status_code == 200
        settled()  # one at a time, in order
    events = _run_a_year_of_billing(reversed_twice, stripe_server)
    # No coupon in this year: tests/billing/test_coupons.py replays the customer.discount.* events.
    assert {e["type"] for e in events} >= set(HANDLED_EVENTS) - {"customer.subscription.deleted",
                                                                   "customer.subscription.trial_will_end",
                                                                   "customer.discount.created",
                                                                   "customer.discount.updated",
                                                                   "customer.discount.deleted"}
    for event in reversed(events):
        for _ in range(2):
            assert deliver(url, event, held_webhooks.secret).status_code == 200
    settled()

    expected = {"status": "active", "tier": "professional", "billing_cycle": "monthly", "failed_payment_count": 0,
                "cancel_at_period_end": True, "stripe_subscription_id": True, "last_paid_invoice_id": True,
                "add_ons": [("extra_plant", 1)]}
    assert _state(in_order) == expected
    assert _state(reversed_twice) == expected
    handled = [e for e in events if e["type"] in HANDLED_EVENTS]
    assert WebhookOutcome.objects.filter(event_id__in=[e["id"] for e in handled]).count() == len(handled)


def test_our_handlers_change_nothing_when_an_event_is_applied_again(held_webhooks, stripe_server, live_server,
                                                                   make_organization):
    organization = make_organization()
    events = _run_a_year_of_billing(organization, stripe_server)
    url = webhook_url(live_server, held_webhooks)
    for event in events:
        deliver(url, event, held_webhooks.secret)
    settled()
    before, history = _state(organization), SubscriptionEvent.objects.filter(subscription__organization=organization)
    count = history.count()

    for event in [e for e in events if e["type"] in HANDLED_EVENTS]:  # bypassing dj-stripe's own de-duplication
        billing_event_apply(event_id=event["id"], event_type=event["type"], data=event["data"]["object"])

    assert _state(organization) == before
    assert history.count() == count


def _one_event(organization, stripe_server) -> dict:
    customer_id = paying_customer(organization, stripe_server)
    price = stripe_server.call("GET", "/v1/prices?lookup_keys[]=starter_monthly")["data"][0]
    stripe_server.call("POST", f"/_test/customers/{customer_id}/card", number=GOOD_CARD)
    stripe_server.call("POST", "/v1/subscriptions", customer=customer_id, **{"items[0][plan]": price["id"]})
    events = stripe_server.call("GET", f"/_test/customers/{customer_id}/events")["data"]
    return next(e for e in events if e["type"] == "customer.subscription.created")


def test_a_forged_signature_is_refused_and_nothing_is_recorded(held_webhooks, stripe_server, live_server,
                                                              organization):
    event = _one_event(organization, stripe_server)

    response = deliver(webhook_url(live_server, held_webhooks), event, "whsec_" + "forged" * 6)

    assert response.status_code == 400
    assert not Event.objects.filter(id=event["id"]).exists()
    assert not WebhookOutcome.objects.filter(event_id=event["id"]).exists()
    assert not WebhookEventTrigger.objects.filter(processed=True).exists()


def test_a_replayed_event_with_a_stale_timestamp_is_refused(held_webhooks, stripe_server, live_server, organization):
    event = _one_event(organization, stripe_server)

    response = deliver(webhook_url(live_server, held_webhooks), event, held_webhooks.secret,
                       timestamp=int(time.time()) - 600)

    assert response.status_code == 400
    assert not WebhookOutcome.objects.filter(event_id=event["id"]).exists()
    assert Subscription.objects.get(organization=organization).status == "trialing"


def test_the_debug_secret_header_cannot_sign_a_forged_event(held_webhooks, stripe_server, live_server, organization,
                                                           settings):
    settings.DEBUG = True
    event = _one_event(organization, stripe_server)
    forged_secret = "whsec_" + "forged" * 6

    response = deliver(webhook_url(live_server, held_webhooks), event, forged_secret,
                       headers={"X-Djstripe-Webhook-Secret": forged_secret})

    assert response.status_code == 400
    assert not WebhookOutcome.objects.filter(event_id=event["id"]).exists()


def test_an_event_for_an_unknown_customer_is_recorded_not_a_500(held_webhooks, stripe_server, live_server):
    customer = stripe_server.call("POST", "/v1/customers", email="stranger@example.com")
    price = stripe_server.call("GET", "/v1/prices?lookup_keys[]=starter_monthly")["data"][0]
    stripe_server.call("POST", f"/_test/customers/{customer['id']}/card", number=GOOD_CARD)
    stripe_server.call("POST", "/v1/subscriptions", customer=customer["id"], **{"items[0][plan]": price["id"]})
    event = next(e for e in stripe_server.call("GET", f"/_test/customers/{customer['id']}/events")["data"]
                 if e["type"] == "customer.subscription.created")

    response = deliver(webhook_url(live_server, held_webhooks), event, held_webhooks.secret)
    settled()

    assert response.status_code == 200
    outcome = WebhookOutcome.objects.get(event_id=event["id"])
    assert (outcome.result, outcome.organization) == ("unknown_customer", None)
    assert customer["id"] in outcome.detail


def test_an_event_arriving_while_the_broker_is_down_is_stored_answered_200_and_applied_by_the_sweep(
    held_webhooks, stripe_server, live_server, organization
):
    from billing.tasks import webhook_sweep_task
    from unison.celery import app

    event = _one_event(organization, stripe_server)
    working = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # a closed port: every wake fails to reach Redis
    app._after_fork()  # drop pooled connections to the working broker
    try:
        response = deliver(webhook_url(live_server, held_webhooks), event, held_webhooks.secret)
    finally:
        app.conf.broker_url = working
        app._after_fork()

    assert response.status_code == 200
    trigger = WebhookEventTrigger.objects.get(pk=int(response.content))
    assert trigger.valid and not trigger.processed
    time.sleep(0.5)
    assert not WebhookOutcome.objects.filter(event_id=event["id"]).exists(), "nothing woke the worker"

    webhook_sweep_task.delay()  # what beat queues every minute
    settled()

    assert WebhookOutcome.objects.get(event_id=event["id"]).result == "applied"
    assert Subscription.objects.get(organization=organization).status == "active"
