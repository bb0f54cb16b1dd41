"""Paying in EUR or INR through a real local Stripe (localstripe with devstripe's prices by lookup key).

A workspace pays in the currency chosen at signup; its first Stripe subscription fixes it, plan changes
keep it, another one is refused (409 ``currency_fixed``), an unknown one is a 400 naming ``currency``.
"""

from __future__ import annotations

import random
import re

import pytest

from billing.services import billing_checkout_start
from billing.services.checkout import currency_validate
from devstripe.delivery import deliver
from devstripe.process import GOOD_CARD
from subscriptions import catalog
from subscriptions.models import Subscription
from tests.billing.conftest import settled, wait_for, webhook_url
from tests.conftest import client_for, tenant_user
from unison.errors import ApplicationError

pytestmark = pytest.mark.stripe


def _stripe_total(stripe_subscription) -> int:
    """Return what Stripe bills the subscription a month, from its own items (all monthly here)."""
    return sum(item["price"]["unit_amount"] * item["quantity"] for item in stripe_subscription["items"]["data"])


def _checkout_and_pay(organization, stripe_server, **plan) -> str:
    """Check out (trial kept), pay the first period; return the Stripe subscription id."""
    url = billing_checkout_start(organization=organization, success_url="http://x/ok", cancel_url="http://x/no",
                                 **plan)
    session = stripe_server.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)
    stripe_server.call("POST", f"/_test/subscriptions/{session['subscription']}/renew")
    return session["subscription"]


def test_an_inr_checkout_is_billed_in_rupees_and_shuffled_repeated_webhooks_leave_us_equal_to_stripe(
        held_webhooks, stripe_server, live_server, make_organization):
    organization = make_organization(name="Pune Castings", currency="inr")
    client = client_for(organization, tenant_user(organization, role="owner"))

    response = client.post("/api/v1/billing/checkout", {"tier": "starter", "billing_cycle": "monthly",
                                                        "add_ons": {"extra_user": 2}}, content_type="application/json")
    assert response.status_code == 200, response.content
    session = stripe_server.call("POST", f"/_test/checkout/{response.json()['url'].rsplit('/', 1)[1]}/complete",
                                 card=GOOD_CARD)
    stripe_id = session["subscription"]
    stripe_server.call("POST", f"/_test/subscriptions/{stripe_id}/renew")
    events = stripe_server.call("POST", "/_test/webhooks/take")["data"] * 2
    random.Random(18).shuffle(events)
    url = webhook_url(live_server, held_webhooks)
    for event in events:
        assert deliver(url, event, held_webhooks.secret).status_code == 200
    settled()

    in_stripe = stripe_server.call("GET", f"/v1/subscriptions/{stripe_id}")
    assert {item["price"]["currency"] for item in in_stripe["items"]["data"]} == {"inr"}
    assert sorted(item["price"]["lookup_key"] for item in in_stripe["items"]["data"]) == [
        "addon_extra_user_monthly_inr", "starter_monthly_inr"]
    ours = Subscription.objects.get(organization=organization)
    assert (ours.status, ours.tier, ours.currency, ours.currency_fixed) == ("active", "starter", "inr", True)
    assert ours.mrr_native_cents == _stripe_total(in_stripe) == 299900 + 2 * 39900
    assert ours.mrr_cents == catalog.usd_cents(_stripe_total(in_stripe), "inr") == 4556
    assert ours.events.order_by("-created_at", "-id").first().mrr_cents == ours.mrr_cents  # the ledger is in USD

    preview = client.post("/api/v1/billing/preview", {"tier": "professional"}, content_type="application/json")
    assert preview.status_code == 200, preview.content
    assert (preview.json()["currency"], preview.json()["recurring_cents"]) == ("inr", 1199900 + 2 * 39900)

    refused = client.post("/api/v1/billing/plan", {"tier": "professional", "currency": "usd"},
                          content_type="application/json")
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "currency_fixed" and "INR" in refused.json()["currency"][0]

    changed = client.post("/api/v1/billing/plan", {"tier": "professional", "currency": "inr"},
                          content_type="application/json")
    assert changed.status_code == 200, changed.content
    in_stripe = stripe_server.call("GET", f"/v1/subscriptions/{stripe_id}")
    assert {item["price"]["lookup_key"] for item in in_stripe["items"]["data"]} == {
        "professional_monthly_inr", "addon_extra_user_monthly_inr"}
    for event in stripe_server.call("POST", "/_test/webhooks/take")["data"] * 2:
        deliver(url, event, held_webhooks.secret)
    settled()
    ours.refresh_from_db()
    assert (ours.tier, ours.currency, ours.mrr_native_cents) == ("professional", "inr", _stripe_total(in_stripe))


def test_the_first_checkout_may_choose_the_currency_and_stripe_then_fixes_it(
        webhooks, stripe_server, make_organization):
    organization = make_organization()  # chose USD at signup
    assert organization.subscription.currency == "usd"

    _checkout_and_pay(organization, stripe_server, tier="starter", billing_cycle="monthly", currency="eur")

    ours = wait_for(lambda: Subscription.objects.filter(organization=organization, status="active").first(),
                    what="the EUR subscription to be mirrored")
    assert (ours.currency, ours.currency_fixed, ours.mrr_native_cents, ours.mrr_cents) == ("eur", True, 4500, 4860)
    with pytest.raises(ApplicationError) as refusal:
        billing_checkout_start(organization=organization, tier="starter", billing_cycle="monthly",
                               success_url="http://x/ok", cancel_url="http://x/no", currency="inr")
    assert (refusal.value.status, refusal.value.code, refusal.value.field) == (409, "currency_fixed", "currency")


@pytest.mark.parametrize("bad", ["xyz", "GBP", "", "usd\x00"])
def test_an_unknown_currency_is_refused_with_a_message_naming_the_field(bad):
    with pytest.raises(ApplicationError) as refusal:
        currency_validate(bad)
    assert (refusal.value.status, refusal.value.field, refusal.value.code) == (400, "currency", "unknown_currency")
    assert "USD, EUR, INR" in refusal.value.message
    assert currency_validate(" EUR ") == "eur"


def test_the_api_refuses_an_unknown_currency_before_anything_reaches_stripe(organization, owner):
    client = client_for(organization, owner)
    for path in ("/api/v1/billing/checkout", "/api/v1/billing/plan", "/api/v1/billing/preview"):
        response = client.post(path, {"tier": "starter", "billing_cycle": "monthly", "currency": "xyz"},
                               content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert response.json()["currency"] == ['Unknown currency "xyz": choose one of usd, eur, inr.']
    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.checkout_session_id, subscription.currency) == ("", "usd")


def test_mrr_is_stripe_s_amounts_in_usd_by_the_rate_table_with_the_split_per_currency(
        webhooks, stripe_server, make_organization):
    from tests.platform_admin.conftest import console_client, public_user

    plans = {"eur": {"tier": "professional", "billing_cycle": "monthly", "add_ons": {"extra_plant": 1}},
             "inr": {"tier": "starter", "billing_cycle": "monthly"}, "usd": {"tier": "starter", "billing_cycle": "monthly"}}
    stripe_ids = {}
    for currency, plan in plans.items():
        organization = make_organization(currency=currency)
        stripe_ids[currency] = _checkout_and_pay(organization, stripe_server, **plan)
    make_organization(currency="inr")  # trialing in INR: no MRR
    wait_for(lambda: Subscription.objects.filter(status="active", mrr_cents__gt=0).count() == 3,
             what="three paying subscriptions")
    native = {currency: _stripe_total(stripe_server.call("GET", f"/v1/subscriptions/{sid}"))
              for currency, sid in stripe_ids.items()}
    assert native == {"eur": 17900 + 2300, "inr": 299900, "usd": 4900}
    usd = {currency: catalog.usd_cents(amount, currency) for currency, amount in native.items()}

    client = console_client(public_user("cfo@unison.test", is_staff=True, is_superuser=True))
    figures = client.get("/api/v1/admin/metrics").json()

    assert figures["mrr_cents"] == sum(usd.values()) == 21816 + 3599 + 4900
    assert figures["by_currency"] == [
        {"currency": c, "active_subscriptions": 1, "paying_customers": 1, "mrr_cents": usd[c],
         "mrr_native_cents": native[c]} for c in catalog.CURRENCIES]
    page = client.get("/admin/").content.decode()
    assert '<tr data-currency="inr">' in page and "₹2,999" in page and "€202" in page


def test_the_billing_page_shows_the_workspace_s_prices_in_its_currency(make_organization):
    organization = make_organization(currency="inr")
    page = client_for(organization, tenant_user(organization, role="owner")).get("/billing/")

    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="price-starter-monthly">₹2,999</span>' in body
    assert "You save ₹14,398.80 a year" in body  # Professional: 12 × ₹11,999 − ₹1,29,589.20
    assert "₹399 per user a month" in body and 'data-currency="inr"' in body
    assert not re.search(r"\$\d", body)  # no dollar price anywhere
