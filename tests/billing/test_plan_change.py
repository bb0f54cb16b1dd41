"""Changing a paid plan: the subscriptions API calls billing, which changes the Stripe items, prorated.

Real: the subscriptions API, billing's gateway, localstripe's subscriptions and invoice items over
HTTP, dj-stripe's webhooks into the live server and a Celery worker. Emulated by
devstripe/extension.py: prices by lookup key, checkout completion, renewal on demand,
and the proration item for the rest of the period.
"""

from __future__ import annotations

import pytest

from devstripe.process import GOOD_CARD
from subscriptions.models import Subscription
from tests.billing.conftest import wait_for
from tests.conftest import client_for

pytestmark = pytest.mark.stripe


def _paying(organization, owner, stripe_server) -> Subscription:
    client = client_for(organization, owner)
    url = client.post("/api/v1/billing/checkout", {"tier": "starter", "billing_cycle": "monthly"},
                      content_type="application/json").json()["url"]
    session = stripe_server.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)
    stripe_server.call("POST", f"/_test/subscriptions/{session['subscription']}/renew")  # the trial ends, paid
    return wait_for(lambda: Subscription.objects.filter(organization=organization, status="active",
                                                        last_paid_invoice_id__gt="").first(), what="payment")


def test_an_upgrade_changes_the_stripe_items_with_proration_and_our_plan_follows(webhooks, stripe_server,
                                                                                organization, owner):
    subscription = _paying(organization, owner, stripe_server)

    response = client_for(organization, owner).post("/api/v1/subscription/upgrade", {"tier": "professional"},
                                                    content_type="application/json")

    assert response.status_code == 200, response.content
    stripe_sub = stripe_server.call("GET", f"/v1/subscriptions/{subscription.stripe_subscription_id}")
    assert [i["price"]["lookup_key"] for i in stripe_sub["items"]["data"]] == ["professional_monthly"]
    prorations = [i for i in stripe_server.call("GET", f"/v1/invoiceitems?customer={subscription.stripe_customer_id}")
                  ["data"] if i["proration"]]
    assert len(prorations) == 1
    assert 0 < prorations[0]["amount"] <= 19900 - 4900
    wait_for(lambda: Subscription.objects.get(organization=organization).tier == "professional", what="the tier")


def test_cancelling_through_the_api_sets_stripe_to_cancel_at_period_end(webhooks, stripe_server, organization,
                                                                       owner):
    subscription = _paying(organization, owner, stripe_server)

    response = client_for(organization, owner).post("/api/v1/subscription/cancel", {},
                                                    content_type="application/json")

    assert response.status_code == 200, response.content
    stripe_sub = stripe_server.call("GET", f"/v1/subscriptions/{subscription.stripe_subscription_id}")
    assert stripe_sub["cancel_at_period_end"] is True
    assert Subscription.objects.get(organization=organization).cancel_at_period_end is True
