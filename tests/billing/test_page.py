"""The tenant's billing page (Django test client) against the local Stripe stand-in (devstripe's localstripe).

Real: the page's forms (POST, no JavaScript), billing's gateway, localstripe's customers, subscriptions,
invoices and payments over HTTP, signed webhooks into the live server and a Celery worker applying them.
Emulated by devstripe/extension.py and devstripe/lifecycle.py: prices by lookup key, Checkout sessions,
renewal on demand, proration billed at once, subscription schedules and the invoice preview.
"""

from __future__ import annotations

import re
from urllib.request import urlopen

import pytest
from djstripe.models import Invoice

from subscriptions.models import Subscription, SubscriptionEvent
from tests.billing.conftest import settled, wait_for
from tests.billing.test_plan_change import _keys, _paying, _stripe
from tests.conftest import client_for
from unison.templatetags.dates import day

pytestmark = pytest.mark.stripe


def _actions(page: str) -> dict[str, list[str]]:
    """Return each plan card's action buttons, by tier (both cycles' offers, monthly first)."""
    cards = re.findall(r'data-tier="(\w+)".*?(?=data-tier="|</ul>\s*</section>)', page, re.S)
    found = {}
    for tier, body in zip(cards, re.split(r'data-tier="\w+"', page)[1:], strict=True):
        found[tier] = [re.sub(r"<span class=\"sr-only\">.*?</span>", "", label).strip()
                       for label in re.findall(r'data-action="\w+">(.*?)</button>', body, re.S)]
    return found


def test_a_trial_without_a_card_sees_a_card_a_tier_each_choosing_through_checkout(stripe_catalog, organization, owner):
    response = client_for(organization, owner).get("/billing/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Professional" in page and "Trialing" in page and "days left" in page
    assert 'aria-label="Users"' in page and "of 25" in page
    assert _actions(page) == {"starter": ["Choose Starter", "Choose Starter"],
                              "professional": ["Choose Professional", "Choose Professional"],
                              "enterprise": ["Choose Enterprise", "Choose Enterprise"]}
    for price in ("$49", "$529.20", "$199", "$999"):
        assert price in page
    assert "None yet: choosing a plan opens Stripe Checkout" in page
    assert 'name="add_on_extra_user"' in page and "No invoices yet." in page
    assert not re.search(r'<select[^>]*name="(tier|billing_cycle|add_on_\w+)"', page)  # cards, a toggle, steppers


def test_a_member_sees_the_plan_but_no_action_and_cannot_post_any(stripe_catalog, organization, teammate):
    client = client_for(organization, teammate)

    page = client.get("/billing/").content.decode()

    assert "Only owners and admins can change the plan." in page
    assert _actions(page) == {"starter": [], "professional": [], "enterprise": []}
    assert "Cancel subscription" not in page and "Payment method" not in page
    for path in ("/billing/plan/", "/billing/cancel/", "/billing/resume/", "/billing/portal/"):
        assert client.post(path, {"tier": "starter", "billing_cycle": "monthly"}).status_code == 403, path
    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.stripe_customer_id, subscription.cancel_at_period_end) == ("", False)


def test_another_workspaces_user_can_neither_read_nor_change_billing(stripe_catalog, organization, owner, outsider,
                                                                     other_organization):
    client = client_for(other_organization, outsider)
    client.defaults["HTTP_HOST"] = organization.host  # the outsider's session, on the victim's host

    read = client.get("/billing/")
    assert read.status_code in (302, 403) and "Acme" not in read.content.decode()
    for path in ("/billing/plan/", "/billing/cancel/", "/billing/resume/", "/billing/portal/"):
        answer = client.post(path, {"tier": "starter", "billing_cycle": "monthly", "confirm": "1"})
        assert answer.status_code in (302, 403) and "/accounts/login" in answer.get("Location", "/accounts/login")
    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.stripe_customer_id, subscription.checkout_session_id) == ("", "")
    assert subscription.cancel_at_period_end is False


def test_choosing_a_plan_shows_what_it_costs_then_redirects_to_stripe_checkout(stripe_catalog, organization, owner):
    client = client_for(organization, owner)
    choice = {"tier": "starter", "billing_cycle": "monthly", "add_on_extra_user": "2"}

    preview = client.post("/billing/plan/", choice)

    page = preview.content.decode()
    assert preview.status_code == 200
    # The trial is kept: nothing today, then Starter ($49) and two extra users ($5 each) a month.
    assert "You'll pay <strong data-testid=\"due-today\">$0</strong> today, then <strong>$59</strong> monthly" in page
    assert "2 × Extra user" in page and "Continue to payment" in page
    assert Subscription.objects.get(organization=organization).checkout_session_id == ""

    response = client.post("/billing/plan/", {**choice, "confirm": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_catalog.url}/_test/checkout/cs_test_")
    assert Subscription.objects.get(organization=organization).status == "trialing"


def test_a_plan_above_the_trials_is_charged_today_in_the_preview(stripe_catalog, organization, owner):
    preview = client_for(organization, owner).post("/billing/plan/", {"tier": "enterprise", "billing_cycle": "monthly"})

    assert "You'll pay <strong data-testid=\"due-today\">$999</strong> today" in preview.content.decode()


@pytest.mark.parametrize(("data", "where", "message"), [
    ({"tier": "gold", "billing_cycle": "monthly"}, 'id="id_tier_error"', "Select a valid choice"),
    ({"tier": "starter", "billing_cycle": "weekly"}, 'id="id_billing_cycle_error"', "Select a valid choice"),
    ({"tier": "starter", "billing_cycle": "monthly", "add_on_extra_user": "-1"}, 'id="id_add_on_extra_user_error"',
     "greater than or equal to 0"),
    ({"tier": "starter", "billing_cycle": "monthly", "add_on_extra_plant": "1001"}, 'id="id_add_on_extra_plant_error"',
     "less than or equal to 1000"),
    ({"tier": "starter", "billing_cycle": "annual", "add_on_extra_plant": "1"}, 'id="id_add_on_extra_plant_error"',
     "Add-ons are billed monthly"),
])
def test_bad_choices_come_back_with_a_message_and_nothing_changes(stripe_catalog, organization, owner, data, where,
                                                                  message):
    response = client_for(organization, owner).post("/billing/plan/", {**data, "confirm": "1"})

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(where + r"[^>]*>(.*?)</ul>", page, re.S)
    assert error and message in error.group(1), page
    assert Subscription.objects.get(organization=organization).stripe_customer_id == ""


def test_a_bad_quantity_is_kept_next_to_its_field_focused_and_described(stripe_catalog, organization, owner):
    page = client_for(organization, owner).post("/billing/plan/", {
        "tier": "professional", "billing_cycle": "monthly", "add_on_extra_user": "-3", "add_on_extra_plant": "2",
    }).content.decode()

    user_input = re.search(r'<input[^>]*name="add_on_extra_user"[^>]*>', page).group(0)
    assert 'value="-3"' in user_input and 'aria-invalid="true"' in user_input and "autofocus" in user_input
    assert "id_add_on_extra_user_error" in user_input  # aria-describedby: the screen reader reads the error
    assert 'value="2"' in re.search(r'<input[^>]*name="add_on_extra_plant"[^>]*>', page).group(0)
    assert 'role="alert"' in page and "Check the quantities marked below." in page


def test_stripe_being_down_shows_a_clear_message(stripe_catalog, organization, owner, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = client_for(organization, owner).post("/billing/plan/", {"tier": "starter", "billing_cycle": "monthly"})

    assert response.status_code == 503
    assert "could not be reached" in response.content.decode()
    assert Subscription.objects.get(organization=organization).stripe_customer_id == ""


# --- A paying workspace (Starter, monthly, its first invoice paid) ---------------------------------

def _preview_and_confirm(client, choice: dict) -> tuple[str, object]:
    preview = client.post("/billing/plan/", choice)
    assert preview.status_code == 200, preview.content.decode()
    return preview.content.decode(), client.post("/billing/plan/", {**choice, "confirm": "1"})


def _charged_today(page: str) -> int:
    dollars = re.search(r'data-testid="charged-today">\$([\d,.]+)<', page).group(1).replace(",", "")
    return round(float(dollars) * 100)


def test_the_paying_page_shows_card_next_invoice_actions_and_invoices_with_pdfs(webhooks, stripe_server,
                                                                             organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    invoice_id = wait_for(lambda: Invoice.objects.filter(customer_id=subscription.stripe_customer_id)
                          .values_list("id", flat=True).first(), what="dj-stripe's invoice copy")
    client = client_for(organization, owner)

    page = client.get("/billing/").content.decode()

    assert "Visa ending in 4242" in page
    assert f'data-testid="next-invoice">{day(subscription.current_period_end)}<' in page
    assert _actions(page) == {"starter": ["Current plan", "Switch to annual at renewal"],
                              "professional": ["Upgrade", "Upgrade at renewal"],
                              "enterprise": ["Upgrade", "Upgrade at renewal"]}
    pdf = re.search(rf'<tr data-invoice="{invoice_id}">.*?href="([^"]+\.pdf)"', page, re.S).group(1)
    assert re.search(rf'<tr data-invoice="{invoice_id}">.*?href="[^"]+/_test/invoices/{invoice_id}"', page, re.S)
    assert pdf.endswith(f"/_test/invoices/{invoice_id}.pdf") and ">Paid<" in page
    with urlopen(pdf) as answer:  # noqa: S310 - the local stand-in's URL
        assert answer.headers["Content-Type"] == "application/pdf" and answer.read().startswith(b"%PDF")


def test_an_upgrade_shows_stripes_proration_then_changes_stripe_and_our_row(webhooks, stripe_server, organization,
                                                                           owner):
    subscription = _paying(organization, owner, stripe_server)

    page, done = _preview_and_confirm(client_for(organization, owner), {"tier": "professional",
                                                                        "billing_cycle": "monthly"})

    assert done.status_code == 302 and done["Location"] == "/billing/"
    stripe_sub = _stripe(stripe_server, subscription)
    assert _keys(stripe_sub) == [("professional_monthly", 1)]
    charged = stripe_server.call("GET", f"/v1/invoices/{stripe_sub['latest_invoice']}")["amount_paid"]
    assert 0 < charged <= 19900 - 4900 and abs(_charged_today(page) - charged) <= 2  # the preview was Stripe's
    assert "Pay $" in page and "and change plan" in page
    subscription.refresh_from_db()
    assert subscription.tier == "professional"


def test_a_downgrade_waits_for_the_period_end_and_keeping_the_plan_undoes_it(webhooks, stripe_server, organization,
                                                                            owner):
    subscription = _paying(organization, owner, stripe_server, tier="professional")
    client = client_for(organization, owner)
    assert _actions(client.get("/billing/").content.decode())["starter"][0] == "Downgrade at period end"

    page, done = _preview_and_confirm(client, {"tier": "starter", "billing_cycle": "monthly"})

    assert "Nothing is charged today." in page and _charged_today(page) == 0
    assert _stripe(stripe_server, subscription)["schedule"] and _keys(_stripe(stripe_server, subscription)) == [
        ("professional_monthly", 1)]
    after = client.get("/billing/").content.decode()
    assert "Changes to Starter (monthly)" in after and "Keep Professional" in after
    assert _actions(after)["starter"][0].startswith("Starts ")

    undone = client.post("/billing/plan/", {"tier": "professional", "billing_cycle": "monthly", "confirm": "1"})

    assert undone.status_code == 302
    assert not _stripe(stripe_server, subscription)["schedule"]
    assert Subscription.objects.get(organization=organization).pending_plan == {}
    assert "Keep Professional" not in client.get("/billing/").content.decode()


def test_switching_to_annual_is_scheduled_for_the_renewal_in_stripe(webhooks, stripe_server, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)

    page, done = _preview_and_confirm(client, {"tier": "starter", "billing_cycle": "annual"})

    assert "you'll pay <strong>$529.20</strong> yearly" in page and _charged_today(page) == 0
    schedule = stripe_server.call("GET", f"/v1/subscription_schedules/{_stripe(stripe_server, subscription)['schedule']}")
    assert [item["quantity"] for item in schedule["phases"][1]["items"]] == [1]
    annual = stripe_server.call("GET", "/v1/prices?lookup_keys[]=starter_annual")["data"][0]["id"]
    assert schedule["phases"][1]["items"][0]["price"] == annual
    subscription.refresh_from_db()
    assert (subscription.billing_cycle, subscription.pending_plan["billing_cycle"]) == ("monthly", "annual")
    assert 'id="cycle-annual" value="annual" checked' in client.get("/billing/?cycle=annual").content.decode()


def test_more_add_ons_show_stripes_charge_for_today_then_are_billed(webhooks, stripe_server, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)

    page, done = _preview_and_confirm(client, {"tier": "starter", "billing_cycle": "monthly",
                                               "add_on_extra_user": "2", "add_on_extra_plant": "0",
                                               "add_on_extra_storage": "0"})

    assert "2 × Extra user" in page and 'data-testid="recurring"><strong>$59</strong>' in page
    assert 0 < _charged_today(page) <= 1000
    assert done.status_code == 302
    assert _keys(_stripe(stripe_server, subscription)) == [("addon_extra_user_monthly", 2), ("starter_monthly", 1)]
    settled()
    after = client.get("/billing/").content.decode()
    assert re.search(r'name="add_on_extra_user"[^>]*value="2"|value="2"[^>]*name="add_on_extra_user"', after)
    assert 'data-new-total>$59<' in after


def test_cancelling_at_period_end_and_undoing_it(webhooks, stripe_server, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    client = client_for(organization, owner)
    assert "Cancel at period end" in client.get("/billing/").content.decode()

    assert client.post("/billing/cancel/").status_code == 302

    assert _stripe(stripe_server, subscription)["cancel_at_period_end"] is True
    page = client.get("/billing/").content.decode()
    assert "Keep my subscription" in page and 'data-testid="ends-on"' in page
    assert 'data-testid="next-invoice"' not in page
    assert Subscription.objects.get(organization=organization).cancel_at_period_end is True

    assert client.post("/billing/resume/").status_code == 302

    assert _stripe(stripe_server, subscription)["cancel_at_period_end"] is False
    settled()
    assert Subscription.objects.get(organization=organization).cancel_at_period_end is False
    assert "Cancel at period end" in client.get("/billing/").content.decode()


@pytest.mark.parametrize("data", [
    {"tier": "platinum", "billing_cycle": "monthly"},
    {"tier": "professional", "billing_cycle": "fortnightly"},
    {"tier": "starter", "billing_cycle": "monthly", "add_on_extra_user": "-1"},
    {"tier": "starter", "billing_cycle": "monthly", "add_on_extra_user": "5000"},
])
def test_bad_input_from_a_paying_workspace_changes_nothing_in_stripe_or_here(webhooks, stripe_server, organization,
                                                                            owner, data):
    subscription = _paying(organization, owner, stripe_server)
    settled()
    before_stripe = _stripe(stripe_server, subscription)
    before_events = SubscriptionEvent.objects.filter(subscription=subscription).count()
    client = client_for(organization, owner)

    for confirm in ({}, {"confirm": "1"}):
        assert client.post("/billing/plan/", {**data, **confirm}).status_code == 400

    after_stripe = _stripe(stripe_server, subscription)
    assert (_keys(after_stripe), after_stripe["schedule"], after_stripe["latest_invoice"]) == (
        _keys(before_stripe), before_stripe["schedule"], before_stripe["latest_invoice"])
    settled()
    after = Subscription.objects.get(organization=organization)
    assert (after.tier, after.billing_cycle, after.pending_plan, after.mrr_cents) == ("starter", "monthly", {}, 4900)
    assert SubscriptionEvent.objects.filter(subscription=subscription).count() == before_events


def test_the_page_reads_the_add_ons_once_and_a_fixed_number_of_queries(organization, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import billed

    billed(organization, tier="professional", add_ons={"extra_user": 2})
    client = client_for(organization, owner)
    assert client.get("/billing/").status_code == 200  # the host and entitlements are cached from here

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/billing/").content.decode()

    sql = [query["sql"] for query in captured.captured_queries]
    assert len([q for q in sql if '"subscriptions_subscriptionaddon"' in q]) == 1, sql
    assert len(sql) == 5, sql
    assert 'data-new-total>$209<' in page  # Professional and two extra users, from that one read
