"""Every paid plan change goes one way: through Stripe, and our row mirrors what Stripe answers.

Real: the subscription and billing APIs, billing's gateway, localstripe's subscriptions, invoices and
payments over HTTP, signed webhooks into the live server and a Celery worker applying them.
Emulated by devstripe: prices by lookup key, checkout completion, renewal on demand, proration
items billed at once (``always_invoice``, only if paid: ``pending_if_incomplete``), subscription
schedules, invoice previews (see devstripe/extension.py and devstripe/lifecycle.py).
"""

from __future__ import annotations

import pytest

from devstripe.process import DECLINED_CARD, GOOD_CARD
from subscriptions.models import Subscription
from tests.billing.conftest import settled, wait_for
from tests.conftest import client_for

pytestmark = pytest.mark.stripe


def _post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def _checkout(client, stripe_server, body) -> str:
    url = _post(client, "/api/v1/billing/checkout", body).json()["url"]
    return stripe_server.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)["subscription"]


def _paying(organization, owner, stripe_server, **plan) -> Subscription:
    """Check out Starter (monthly unless told), let the trial end and the first invoice be paid."""
    stripe_id = _checkout(client_for(organization, owner), stripe_server,
                          {"tier": "starter", "billing_cycle": "monthly", **plan})
    stripe_server.call("POST", f"/_test/subscriptions/{stripe_id}/renew")
    return wait_for(lambda: Subscription.objects.filter(organization=organization, status="active",
                                                        last_paid_invoice_id__gt="").first(), what="payment")


def _stripe(stripe_server, subscription) -> dict:
    return stripe_server.call("GET", f"/v1/subscriptions/{subscription.stripe_subscription_id}")


def _all(stripe_server, path: str) -> list[dict]:
    """Return every object of a list route (one server serves the whole session: page through it)."""
    found, after = [], ""
    while True:
        page = stripe_server.call("GET", f"{path}?limit=100{after}")
        found += page["data"]
        if not page.get("has_more") or not page["data"]:
            return found
        after = f"&starting_after={page['data'][-1]['id']}"


def _keys(stripe_sub) -> list[tuple[str, int]]:
    return sorted((i["price"]["lookup_key"], i["quantity"]) for i in stripe_sub["items"]["data"])


def test_a_trial_without_a_card_is_sent_to_checkout_and_keeps_its_tier(stripe_catalog, organization, owner):
    client = client_for(organization, owner)

    response = _post(client, "/api/v1/subscription/upgrade", {"tier": "enterprise"})

    assert response.status_code == 402, response.content
    body = response.json()
    assert body["code"] == "payment_required" and body["checkout_url"].startswith(stripe_catalog.url)
    overview = client.get("/api/v1/subscription").json()
    assert (overview["tier"], overview["entitled_tier"], overview["status"]) == ("professional", "professional",
                                                                               "trialing")
    assert "api_access" not in overview["features"]
    # The same choice again hands out the same checkout; another plan is refused while it is open.
    assert _post(client, "/api/v1/subscription/upgrade", {"tier": "enterprise"}).json()["checkout_url"] == \
        body["checkout_url"]
    other = _post(client, "/api/v1/billing/checkout", {"tier": "starter", "billing_cycle": "monthly"})
    assert other.status_code == 409 and other.json()["code"] == "checkout_open"
    assert other.json()["checkout_url"] == body["checkout_url"]
    downgrade = _post(client, "/api/v1/subscription/downgrade", {"tier": "starter"})
    assert downgrade.status_code == 409 and downgrade.json()["code"] == "checkout_open"


def test_an_upgrade_is_charged_now_prorated_and_the_preview_said_so(webhooks, stripe_server, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)

    preview = _post(client, "/api/v1/billing/preview", {"tier": "professional"}).json()
    response = _post(client, "/api/v1/subscription/upgrade", {"tier": "professional"})

    assert response.status_code == 200, response.content
    assert response.json()["tier"] == "professional"  # mirrored from Stripe's answer at once
    stripe_sub = _stripe(stripe_server, subscription)
    assert _keys(stripe_sub) == [("professional_monthly", 1)]
    invoice = stripe_server.call("GET", f"/v1/invoices/{stripe_sub['latest_invoice']}")
    assert invoice["status"] == "paid" and 0 < invoice["amount_paid"] <= 19900 - 4900
    assert preview["when"] == "now" and abs(preview["due_today_cents"] - invoice["amount_paid"]) <= 2
    assert preview["recurring_cents"] == 19900
    settled()
    subscription.refresh_from_db()
    assert (subscription.tier, subscription.mrr_cents) == ("professional", 19900)


def test_a_declined_upgrade_changes_nothing_here_or_in_stripe(webhooks, stripe_server, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    stripe_server.call("POST", f"/_test/customers/{subscription.stripe_customer_id}/card", number=DECLINED_CARD)

    response = _post(client_for(organization, owner), "/api/v1/subscription/upgrade", {"tier": "enterprise"})

    assert response.status_code == 402 and response.json()["code"] == "card_declined", response.content
    assert _keys(_stripe(stripe_server, subscription)) == [("starter_monthly", 1)]
    settled()
    subscription.refresh_from_db()
    assert (subscription.tier, subscription.status, subscription.mrr_cents) == ("starter", "active", 4900)
    assert subscription.failed_payment_count == 0


def test_a_downgrade_waits_for_the_renewal_in_a_stripe_schedule_and_can_be_undone(webhooks, stripe_server,
                                                                                 organization, owner):
    _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)
    assert _post(client, "/api/v1/subscription/upgrade", {"tier": "professional"}).status_code == 200

    response = _post(client, "/api/v1/subscription/downgrade", {"tier": "starter"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tier"] == "professional" and body["pending_plan"]["tier"] == "starter"
    subscription = Subscription.objects.get(organization=organization)
    stripe_sub = _stripe(stripe_server, subscription)
    assert stripe_sub["schedule"] and _keys(stripe_sub) == [("professional_monthly", 1)]

    undone = _post(client, "/api/v1/billing/plan", {"tier": "professional"})
    assert undone.json()["when"] == "undone"
    assert Subscription.objects.get(organization=organization).pending_plan == {}
    assert not _stripe(stripe_server, subscription)["schedule"]

    assert _post(client, "/api/v1/subscription/downgrade", {"tier": "starter"}).status_code == 200
    invoice = stripe_server.call("POST", f"/_test/subscriptions/{subscription.stripe_subscription_id}/renew")

    # Stripe billed the new price at the renewal itself; our row follows its webhook.
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 4900
    wait_for(lambda: Subscription.objects.filter(organization=organization, tier="starter", pending_plan={},
                                                 mrr_cents=4900).exists(), what="the downgrade")


def test_tier_cycle_and_add_ons_change_in_one_call_without_losing_the_add_ons_bought(webhooks, stripe_server,
                                                                                    organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)

    response = _post(client, "/api/v1/billing/plan", {"tier": "professional", "add_ons": {"extra_user": 2}})

    assert response.json()["when"] == "now", response.content
    assert _keys(_stripe(stripe_server, subscription)) == [("addon_extra_user_monthly", 2),
                                                           ("professional_monthly", 1)]
    settled()
    subscription.refresh_from_db()
    assert dict(subscription.add_ons.filter(removed_at__isnull=True).values_list("kind", "quantity")) == {
        "extra_user": 2}
    assert subscription.mrr_cents == 19900 + 2 * 500

    yearly = _post(client, "/api/v1/billing/plan", {"tier": "professional", "billing_cycle": "annual",
                                                    "add_ons": {}})
    assert yearly.json()["when"] == "at_period_end"
    subscription.refresh_from_db()
    assert subscription.pending_plan["billing_cycle"] == "annual" and subscription.billing_cycle == "monthly"


@pytest.mark.parametrize(("body", "field"), [
    ({"tier": "gold"}, "tier"),
    ({"tier": "starter", "billing_cycle": "weekly"}, "billing_cycle"),
    ({"tier": "starter", "add_ons": {"extra_cat": 1}}, "add_ons"),
    ({"tier": "starter", "add_ons": {"extra_user": -1}}, "add_ons"),
    ({"tier": "starter", "billing_cycle": "annual", "add_ons": {"extra_user": 1}}, "add_ons"),
])
def test_a_bad_plan_is_refused_naming_the_field_and_nothing_changes(stripe_catalog, organization, owner, body, field):
    response = _post(client_for(organization, owner), "/api/v1/billing/plan", body)

    assert response.status_code == 400 and field in response.json(), response.content
    assert Subscription.objects.get(organization=organization).checkout_session_id == ""


def test_an_upgrade_above_the_trial_during_a_stripe_trial_ends_the_trial_and_is_paid_now(
        webhooks, stripe_server, organization, owner):
    stripe_id = _checkout(client_for(organization, owner), stripe_server, {"tier": "starter",
                                                                           "billing_cycle": "monthly"})
    wait_for(lambda: Subscription.objects.filter(organization=organization, stripe_subscription_id=stripe_id)
             .exists(), what="the card-on-file trial")
    assert Subscription.objects.get(organization=organization).status == "trialing"

    response = _post(client_for(organization, owner), "/api/v1/subscription/upgrade", {"tier": "enterprise"})

    assert response.status_code == 200, response.content
    stripe_sub = stripe_server.call("GET", f"/v1/subscriptions/{stripe_id}")
    assert stripe_sub["status"] == "active" and _keys(stripe_sub) == [("enterprise_monthly", 1)]
    assert stripe_server.call("GET", f"/v1/invoices/{stripe_sub['latest_invoice']}")["amount_paid"] == 99900
    assert (response.json()["status"], response.json()["tier"]) == ("active", "enterprise")


def test_cancelling_and_undoing_it_go_through_stripe(webhooks, stripe_server, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)

    assert _post(client, "/api/v1/subscription/cancel", {"at_period_end": False}).status_code == 400
    response = _post(client, "/api/v1/subscription/cancel")

    assert response.status_code == 200 and response.json()["cancel_at_period_end"] is True
    assert _stripe(stripe_server, subscription)["cancel_at_period_end"] is True

    resumed = _post(client, "/api/v1/subscription/resume")

    assert resumed.status_code == 200 and resumed.json()["cancel_at_period_end"] is False
    assert _stripe(stripe_server, subscription)["cancel_at_period_end"] is False
    settled()
    assert Subscription.objects.get(organization=organization).cancel_at_period_end is False


def test_two_tabs_checking_out_at_once_get_one_session_between_them(transactional_db, stripe_catalog,
                                                                    make_organization):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from billing.services import billing_checkout_start
    from unison.errors import ApplicationError

    organization = make_organization(name="Two Tabs")

    def tab(tier):
        try:
            return billing_checkout_start(organization=organization, tier=tier, billing_cycle="monthly",
                                          success_url="http://x/ok", cancel_url="http://x/no")
        except ApplicationError as refused:
            return refused.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(tab, ["starter", "professional"]))

    subscription = Subscription.objects.get(organization=organization)
    urls = [r for r in results if r.startswith("http")]
    assert len(urls) == 1 and "checkout_open" in results, results
    assert urls[0].endswith(subscription.checkout_session_id)
    assert [s["id"] for s in _all(stripe_catalog, "/v1/checkout/sessions")
            if s["customer"] == subscription.stripe_customer_id] == [subscription.checkout_session_id]


def test_a_second_live_stripe_subscription_is_flagged_and_not_counted(webhooks, stripe_server, organization, owner):
    from platform_admin.metrics import platform_metrics

    subscription = _paying(organization, owner, stripe_server)
    price = stripe_server.call("GET", "/v1/prices?lookup_keys[]=enterprise_monthly")["data"][0]

    # Made behind our back (in Stripe's dashboard, say): Stripe bills it, and its events arrive.
    second = stripe_server.call("POST", "/v1/subscriptions", customer=subscription.stripe_customer_id,
                                **{"items[0][plan]": price["id"]})

    flagged = wait_for(lambda: Subscription.objects.filter(
        organization=organization, extra_stripe_subscription_ids=[second["id"]]).first(), what="the flag")
    settled()
    assert (flagged.stripe_subscription_id, flagged.tier, flagged.mrr_cents) == (
        subscription.stripe_subscription_id, "starter", 4900)
    assert platform_metrics()["mrr_cents"] == 4900
    assert platform_metrics()["duplicate_stripe_subscriptions"] == 1


def test_a_workspace_stripe_gave_up_on_pays_its_invoice_instead_of_a_second_checkout(stripe_catalog, organization,
                                                                                   owner):
    from tests.conftest import billed

    billed(organization, status="suspended")  # Stripe's "unpaid": it stopped retrying the open invoice

    response = _post(client_for(organization, owner), "/api/v1/billing/plan", {"tier": "starter"})

    assert response.status_code == 409 and response.json()["code"] == "payment_past_due", response.content
    assert "billing portal" in response.json()["detail"]
    assert Subscription.objects.get(organization=organization).checkout_session_id == ""
