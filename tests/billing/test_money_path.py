"""The whole money path through a real local Stripe (localstripe, see devstripe/extension.py).

Real: PostgreSQL, the Django live server, dj-stripe's webhook view and signature check, a Celery
worker process that handles the stored events, localstripe's
customers, subscriptions, invoices, payments and signed webhook delivery over HTTP (in random order,
about a second after each change). Emulated by the test extension: prices with lookup keys, trials,
Checkout and Portal sessions (completed through a test-only route), renewals and retries on demand.
"""

from __future__ import annotations

import pytest

from billing.services import billing_cancel
from devstripe.process import DECLINED_CARD, GOOD_CARD
from subscriptions.models import Subscription
from tests.billing.conftest import wait_for
from tests.conftest import client_for, tenant_user

pytestmark = pytest.mark.stripe


def _subscription(organization) -> Subscription:
    return Subscription.objects.get(organization=organization)


def _reaches(organization, status, **fields):
    def check():
        subscription = _subscription(organization)
        wanted = {"status": status, **fields}
        return all(getattr(subscription, k) == v for k, v in wanted.items()) and subscription

    return wait_for(check, what=f"status {status} with {fields}")


def test_trial_checkout_payments_failures_suspension_recovery_and_cancellation(webhooks, stripe_server,
                                                                               make_organization):
    organization = make_organization(name="Money Path Works")
    owner = tenant_user(organization, role="owner")
    client = client_for(organization, owner)

    response = client.post("/api/v1/billing/checkout", {"tier": "starter", "billing_cycle": "monthly",
                                                        "add_ons": {"extra_user": 2}}, content_type="application/json")
    assert response.status_code == 200, response.content
    session_id = response.json()["url"].rsplit("/", 1)[1]
    trial_ends_at = _subscription(organization).trial_ends_at

    stripe_server.call("POST", f"/_test/checkout/{session_id}/complete", card=GOOD_CARD)
    # The checkout kept the trial: Stripe runs it on Starter with the card on file, billing nothing yet.
    paid = _reaches(organization, "trialing", tier="starter", mrr_cents=0)
    stripe_id = paid.stripe_subscription_id
    stripe_sub = stripe_server.call("GET", f"/v1/subscriptions/{stripe_id}")
    assert stripe_sub["status"] == "trialing"
    assert stripe_sub["trial_end"] == int(trial_ends_at.timestamp())
    wait_for(lambda: paid.add_ons.filter(kind="extra_user", quantity=2, removed_at__isnull=True).exists(),
             what="the add-on")

    invoice = stripe_server.call("POST", f"/_test/subscriptions/{stripe_id}/renew")
    assert invoice["status"] == "paid"
    _reaches(organization, "active", mrr_cents=4900 + 2 * 500, last_paid_invoice_id=invoice["id"])

    stripe_server.call("POST", f"/_test/customers/{paid.stripe_customer_id}/card", number=DECLINED_CARD)
    failing = stripe_server.call("POST", f"/_test/subscriptions/{stripe_id}/renew")
    assert failing["status"] == "open"
    _reaches(organization, "past_due", failed_payment_count=1)
    stripe_server.call("POST", f"/_test/invoices/{failing['id']}/retry")
    _reaches(organization, "past_due", failed_payment_count=2)
    stripe_server.call("POST", f"/_test/invoices/{failing['id']}/retry")
    # Stripe gives up after the third attempt ("unpaid"): suspended here, and no MRR.
    _reaches(organization, "suspended", failed_payment_count=3, mrr_cents=0)
    assert stripe_server.call("GET", f"/v1/subscriptions/{stripe_id}")["status"] == "unpaid"

    stripe_server.call("POST", f"/_test/customers/{paid.stripe_customer_id}/card", number=GOOD_CARD)
    stripe_server.call("POST", f"/_test/invoices/{failing['id']}/retry")
    _reaches(organization, "active", failed_payment_count=0, mrr_cents=5900)

    billing_cancel(organization=organization, actor="owner@example.com")
    _reaches(organization, "active", cancel_at_period_end=True)
    stripe_server.call("POST", f"/_test/subscriptions/{stripe_id}/end_period")
    _reaches(organization, "cancelled", mrr_cents=0)

    transitions = list(paid.events.order_by("created_at", "id").values_list("transition", flat=True))
    assert transitions == ["start_trial", "start_paid_trial", "convert", "payment_failed", "suspend_for_nonpayment",
                           "payment_recovered", "schedule_cancel", "cancel"]
    mrr = list(paid.events.order_by("created_at", "id").values_list("mrr_cents", flat=True))
    assert mrr == [0, 0, 5900, 5900, 0, 5900, 5900, 0]
