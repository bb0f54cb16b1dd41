"""Coupons and promotion codes: operators make them in Stripe (then mirrored, audited); customers redeem a code at
checkout or at a plan change; Stripe's invoices carry the discount and our mirror (and MRR) equals Stripe's.

Real: the console's pages, the billing API and page, billing's gateway, localstripe over HTTP, signed webhooks
into the live server and a Celery worker. Emulated by devstripe (devstripe/discounts.py): coupon limits,
promotion codes and discounts on subscriptions, checkout, previews and invoices.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from billing import gateway
from billing.services import billing_state, mrr_of
from billing.services.coupons import billing_coupon_create
from devstripe.delivery import deliver
from platform_admin.models import AuditEntry
from subscriptions import catalog
from subscriptions.models import Subscription
from tests.billing.conftest import settled, wait_for, webhook_url
from tests.billing.test_plan_change import _checkout, _paying, _post
from tests.conftest import client_for, tenant_user
from tests.platform_admin.conftest import public_user
from tests.signin import console_client

pytestmark = [pytest.mark.stripe, pytest.mark.django_db]
ADD = "/admin/djstripe/promotioncode/add/"


@pytest.fixture
def operator(db):
    return public_user("operator@unison.test", is_staff=True, is_superuser=True, console_role="owner")


def _code(prefix: str) -> str:
    return f"{prefix}{random.randint(10000, 99999)}"


def _coupon(**fields):
    return billing_coupon_create(**{"name": "", "duration": "forever", **fields})


def _stripe_code(stripe_server, code: str) -> dict:
    return stripe_server.call("GET", f"/v1/promotion_codes?code={code}")["data"][0]


def test_a_finance_operator_creates_a_coupon_in_stripe_mirrored_and_audited(stripe_catalog):
    from djstripe.models import PromotionCode

    finance = public_user("finance@unison.test", is_staff=True, is_superuser=True, console_role="finance")
    client, code = console_client(finance), _code("spring")
    assert client.get(ADD).status_code == 200
    redeem_by = (timezone.now() + timedelta(days=30)).date()

    response = client.post(
        ADD,
        {
            "code": code,
            "percent_off": "20",
            "duration": "repeating",
            "duration_in_months": 3,
            "tiers": ["starter", "professional"],
            "redeem_by": redeem_by.isoformat(),
            "max_redemptions": 50,
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    promo = _stripe_code(stripe_catalog, code.upper())
    coupon = promo["coupon"]
    assert (coupon["percent_off"], coupon["duration"], coupon["duration_in_months"], coupon["max_redemptions"]) == (
        20.0,
        "repeating",
        3,
        50,
    )
    assert coupon["applies_to"] == {"products": ["unison_starter", "unison_professional"]}
    assert datetime.fromtimestamp(coupon["redeem_by"], tz=UTC).date() == redeem_by
    mirrored = PromotionCode.objects.get(id=promo["id"])
    assert mirrored.code == code.upper() and mirrored.stripe_data["coupon"]["id"] == coupon["id"]
    entry = AuditEntry.objects.get(action="coupon_create", target_id=str(mirrored.pk))
    assert entry.actor_email == "finance@unison.test" and entry.details["tiers"] == ["starter", "professional"]
    assert promo["id"] in client.get("/admin/djstripe/promotioncode/").content.decode()


def test_a_support_operator_cannot_create_coupons(stripe_catalog):
    support = public_user("support@unison.test", is_staff=True, is_superuser=True, console_role="support")
    client, code = console_client(support), _code("nope")

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"code": code, "percent_off": "20", "duration": "forever"}).status_code == 403
    assert stripe_catalog.call("GET", f"/v1/promotion_codes?code={code.upper()}")["data"] == []
    assert not AuditEntry.objects.filter(action="coupon_create").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"percent_off": "20", "amount_off": "5", "duration": "forever"}, "percent_off"),
        ({"duration": "forever"}, "percent_off"),
        ({"percent_off": "20", "duration": "repeating"}, "duration_in_months"),
        ({"percent_off": "20", "duration": "once", "redeem_by": "2001-01-01"}, "redeem_by"),
        ({"percent_off": "20", "duration": "forever", "code": "a b"}, "code"),
    ],
)
def test_bad_coupon_input_is_refused_next_to_its_field_and_nothing_is_made(stripe_catalog, operator, body, field):
    client = console_client(operator)
    before = len(stripe_catalog.call("GET", "/v1/coupons?limit=100")["data"])

    response = client.post(ADD, {"code": _code("bad"), **body})

    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert len(stripe_catalog.call("GET", "/v1/coupons?limit=100")["data"]) == before
    assert not AuditEntry.objects.filter(action="coupon_create").exists()


def test_a_taken_code_is_refused(stripe_catalog, operator):
    code = _code("taken")
    _coupon(code=code, percent_off=10.0)

    response = console_client(operator).post(ADD, {"code": code.lower(), "percent_off": "5", "duration": "forever"})

    assert "is taken" in response.context["form"].errors["code"][0]


def _preview(client, body):
    return _post(client, "/api/v1/billing/preview", body)


def test_each_refused_code_says_why(stripe_catalog, organization, owner, other_organization):
    client = client_for(organization, owner)
    enterprise_only = _coupon(code=_code("ent"), percent_off=10.0, tiers=["enterprise"]).code
    expired = _code("old").upper()
    old = stripe_catalog.call(
        "POST",
        "/v1/coupons",
        id=f"old-{expired}",
        percent_off=10,
        duration="forever",
        redeem_by=int((timezone.now() - timedelta(days=1)).timestamp()),
    )
    stripe_catalog.call("POST", "/v1/promotion_codes", coupon=old["id"], code=expired)
    once = _coupon(code=_code("one"), percent_off=50.0, max_redemptions=1).code
    # Another workspace redeems the only use at its checkout.
    other = client_for(other_organization, tenant_user(other_organization, role="owner"))
    _checkout(other, stripe_catalog, {"tier": "starter", "billing_cycle": "monthly", "promotion_code": once})

    refusals = {
        "NOSUCHCODE": (400, "promotion_code_unknown", "no promotion code"),
        expired: (409, "promotion_code_expired", "expired on"),
        once: (409, "promotion_code_used_up", "used as many times"),
        enterprise_only: (400, "promotion_code_not_for_plan", "for Enterprise only, not Starter"),
    }
    for code, (status, reason, words) in refusals.items():
        response = _preview(client, {"tier": "starter", "billing_cycle": "monthly", "promotion_code": code})
        assert (response.status_code, response.json()["code"]) == (status, reason), (code, response.json())
        assert words in response.json()["promotion_code"][0].lower() or words in response.json()["promotion_code"][0]
        changed = _post(client, "/api/v1/billing/plan", {"tier": "starter", "promotion_code": code})
        assert (changed.status_code, changed.json()["code"]) == (status, reason)
    assert _post(client, "/api/v1/billing/preview", {"tier": "starter", "promotion_code": "x"}).status_code == 400
    assert not Subscription.objects.get(organization=organization).checkout_session_id  # nothing was opened


def test_a_code_at_checkout_discounts_the_first_invoice_only(stripe_catalog, organization, owner, webhooks):
    code = _code("first").upper()
    _coupon(code=code, amount_off_cents=1000, duration="once")
    client = client_for(organization, owner)
    preview = _preview(client, {"tier": "starter", "billing_cycle": "monthly", "promotion_code": code.lower()}).json()
    price = catalog.tier("starter").monthly_cents
    assert (preview["discount_cents"], preview["recurring_after_discount_cents"]) == (1000, price - 1000)
    assert preview["discount_terms"] == "$10.00 off the first invoice"

    stripe_id = _checkout(
        client, stripe_catalog, {"tier": "starter", "billing_cycle": "monthly", "promotion_code": code}
    )
    first = stripe_catalog.call("POST", f"/_test/subscriptions/{stripe_id}/renew")
    second = stripe_catalog.call("POST", f"/_test/subscriptions/{stripe_id}/renew")

    assert (first["total"], first["total_discount_amounts"][0]["amount"]) == (price - 1000, 1000)
    assert (second["total"], second["total_discount_amounts"]) == (price, [])
    settled()
    ours = wait_for(
        lambda: Subscription.objects.filter(
            organization=organization, status="active", last_paid_invoice_id=second["id"]
        ).first(),
        what="payment",
    )
    assert ours.mrr_cents == price == mrr_of(stripe_catalog.call("GET", f"/v1/subscriptions/{stripe_id}"))
    assert ours.discount == {}  # a once discount ends with the invoice it discounted
    ids = (first["id"], second["id"])
    invoices = wait_for(
        lambda: (lambda found: found if len(found) == 2 else None)(
            {
                i["id"]: i["discount_cents"]
                for i in client.get("/api/v1/billing/invoices").json()["results"]
                if i["id"] in ids
            }
        ),
        what="both invoices in our list",
    )
    assert invoices == {first["id"]: 1000, second["id"]: 0}


def test_a_code_at_an_upgrade_discounts_stripes_invoice_and_mrr_and_webhooks_in_any_order_agree(
    stripe_catalog, organization, owner, held_webhooks, live_server
):
    code = _code("save").upper()
    _coupon(code=code, percent_off=25.0, duration="repeating", duration_in_months=6)
    client = client_for(organization, owner)
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="false")
    ours = _paying(organization, owner, stripe_catalog)
    settled()
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="true")
    stripe_catalog.call("POST", "/_test/webhooks/take")

    preview = _preview(client, {"tier": "professional", "promotion_code": code}).json()
    response = _post(client, "/api/v1/billing/plan", {"tier": "professional", "promotion_code": code})

    assert response.status_code == 200, response.content
    stripe_sub = stripe_catalog.call("GET", f"/v1/subscriptions/{ours.stripe_subscription_id}")
    invoice = stripe_catalog.call("GET", f"/v1/invoices/{stripe_sub['latest_invoice']}")
    assert invoice["total_discount_amounts"][0]["amount"] > 0 and invoice["total"] == preview["due_today_cents"]
    professional = catalog.tier("professional").monthly_cents
    assert mrr_of(stripe_sub) == professional * 12 * 3 // 4 // 12
    events = stripe_catalog.call("POST", "/_test/webhooks/take")["data"]
    assert "customer.discount.created" in {e["type"] for e in events}
    url = webhook_url(live_server, held_webhooks)
    for event in [*reversed(events), *events, events[0]]:
        assert deliver(url, event, held_webhooks.secret).status_code == 200
    settled()
    ours.refresh_from_db()
    state = billing_state(gateway.subscription_retrieve(ours.stripe_subscription_id))
    assert (ours.tier, ours.status, ours.mrr_cents, ours.discount) == (
        state.tier,
        state.status,
        state.mrr_cents,
        state.discount,
    )
    assert ours.discount["promotion_code"] == code and ours.discount["terms"] == "25% off for 6 months"
    renewal = stripe_catalog.call("POST", f"/_test/subscriptions/{ours.stripe_subscription_id}/renew")
    assert renewal["total"] == ours.mrr_cents  # MRR net of discount is what Stripe bills a month
    page = client.get("/billing/").content.decode()
    assert code in page and "25% off for 6 months" in page


def test_mrr_counts_a_discount_only_while_it_lasts():
    now = int(timezone.now().timestamp())

    def sub(coupon, end=None):
        return {
            "status": "active",
            "discount": {"coupon": coupon, "end": end},
            "items": {"data": [{"price": {"unit_amount": 12000, "recurring": {"interval": "year"}}, "quantity": 1}]},
        }

    assert mrr_of(sub({"percent_off": 50, "duration": "forever"})) == 500
    assert mrr_of(sub({"percent_off": 50, "duration": "repeating"}, end=now + 3600)) == 500
    assert mrr_of(sub({"percent_off": 50, "duration": "repeating"}, end=now - 3600)) == 1000
    assert mrr_of(sub({"percent_off": 50, "duration": "once"})) == 1000
    assert mrr_of(sub({"amount_off": 1200, "duration": "forever"})) == 900  # $12 off a yearly invoice: $1 a month


def test_the_billing_page_shows_a_refused_code_next_to_its_field_and_a_good_one_on_the_preview(
    stripe_catalog, organization, owner, other_organization, outsider
):
    code = _code("page").upper()
    _coupon(code=code, percent_off=10.0, tiers=["starter"])
    client = client_for(organization, owner)
    plan = {"tier": "enterprise", "billing_cycle": "monthly"}

    refused = client.post("/billing/plan/", {**plan, "promotion_code": code})
    assert refused.status_code == 400
    assert "for Starter only, not Enterprise" in refused.context["form"].errors["promotion_code"][0]
    assert 'data-testid="promotion-code-error"' in refused.content.decode()

    accepted = client.post(
        "/billing/plan/", {"tier": "starter", "billing_cycle": "monthly", "promotion_code": code.lower()}
    )
    body = accepted.content.decode()
    assert accepted.status_code == 200 and 'data-testid="discount"' in body and "10% off" in body
    price = catalog.tier("starter").monthly_cents
    assert accepted.context["preview"]["recurring_after_discount_cents"] == price - price // 10
    # Another tenant's user sees nothing of it: not on their own page, and not on this workspace's.
    assert code not in client_for(other_organization, outsider).get("/billing/").content.decode()
    assert client_for(organization, outsider).get("/billing/").status_code in (302, 403, 404)


def test_an_amount_off_in_dollars_is_refused_for_a_workspace_paying_in_rupees(stripe_catalog, make_organization):
    organization = make_organization(name="Pune Castings", currency="inr")
    client = client_for(organization, tenant_user(organization, role="owner"))
    dollars = _coupon(code=_code("usd"), amount_off_cents=1000, duration="once").code
    percent = _coupon(code=_code("pct"), percent_off=10.0, duration="once").code
    refused = _preview(client, {"tier": "starter", "billing_cycle": "monthly", "promotion_code": dollars})
    assert (refused.status_code, refused.json()["code"]) == (400, "promotion_code_wrong_currency")
    assert "USD" in refused.json()["promotion_code"][0] and "INR" in refused.json()["promotion_code"][0]
    taken = _preview(client, {"tier": "starter", "billing_cycle": "monthly", "promotion_code": percent}).json()
    assert taken["currency"] == "inr" and taken["discount_cents"] == taken["recurring_cents"] // 10
