"""The local Stripe's Billing Portal page in Chromium: the subscription, plan changes, the card, cancelling.

Real: the devstripe server process, its pages over HTTP, Debian's Chromium; the subscription is made
by completing a Checkout Session through devstripe's test route.
"""

from __future__ import annotations

import pytest

from devstripe import pages
from tests.devstripe.conftest import BANNER, event_types

pytestmark = [pytest.mark.stripe, pytest.mark.e2e]


def card_last4(stripe, customer: str) -> str:
    card_id = stripe.call("GET", f"/v1/customers/{customer}")["invoice_settings"]["default_payment_method"]
    return stripe.call("GET", f"/v1/payment_methods/{card_id}")["card"]["last4"]


def test_it_shows_the_subscription_and_returns_to_unison(stripe, subscribed, portal, page):
    page.goto(portal["url"])

    assert page.get_by_test_id("stand-in-banner").inner_text() == BANNER
    assert page.get_by_test_id("plan-name").inner_text() == "Starter"
    assert page.get_by_test_id("plan-status").inner_text() == "Active"
    assert page.get_by_test_id("plan-price").inner_text() == "$49.00 per month"
    assert f"Renews on{pages.day(subscribed['current_period_end'])}" in page.locator("dl.facts").inner_text().replace("\n", "")
    assert page.get_by_test_id("card-on-file").inner_text().startswith("Visa ending in 4242")
    assert page.get_by_role("link", name="Return to Unison").get_attribute("href") == portal["return_url"]


def test_changing_plan_replaces_the_tier_price(stripe, subscribed, portal, prices, customer, page):
    updates = event_types(stripe, customer).count("customer.subscription.updated")
    page.goto(portal["url"])

    choices = page.get_by_role("group").inner_text()
    assert "Professional (monthly)" in choices and "Starter (annual)" in choices and "Starter (monthly)" not in choices
    page.get_by_label("Professional (annual)").check()
    page.get_by_role("button", name="Change plan").click()

    assert page.get_by_role("status").inner_text() == "Your plan is now Professional — $1,609.00 per year."
    assert page.get_by_test_id("plan-name").inner_text() == "Professional"
    (item,) = stripe.call("GET", f"/v1/subscriptions/{subscribed['id']}")["items"]["data"]
    assert item["price"]["id"] == prices["professional_annual"]
    assert event_types(stripe, customer).count("customer.subscription.updated") == updates + 1


def test_changing_plan_without_choosing_one_changes_nothing(stripe, subscribed, portal, prices, customer, page):
    page.goto(portal["url"])

    page.get_by_role("button", name="Change plan").click()

    assert page.get_by_role("alert").inner_text() == "Choose one of the plans below."
    (item,) = stripe.call("GET", f"/v1/subscriptions/{subscribed['id']}")["items"]["data"]
    assert item["price"]["id"] == prices["starter_monthly"]


def test_with_an_add_on_the_plan_changes_keep_the_interval(stripe, checkout, prices, customer, unison, page):
    session = checkout(("starter_monthly", 1), ("addon_extra_user_monthly", 3))
    done = stripe.call("POST", f"/_test/checkout/{session['id']}/complete")
    portal = stripe.call("POST", "/v1/billing_portal/sessions", customer=customer, return_url=unison.url)
    page.goto(portal["url"])

    assert "Extra user × 3 — $30.00 per month" in page.locator("dl.facts").inner_text()
    assert "(annual)" not in page.get_by_role("group").inner_text()
    page.get_by_label("Professional (monthly)").check()
    page.get_by_role("button", name="Change plan").click()

    items = stripe.call("GET", f"/v1/subscriptions/{done['subscription']}")["items"]["data"]
    assert sorted((i["price"]["lookup_key"], i["quantity"]) for i in items) == [
        ("addon_extra_user_monthly", 3), ("professional_monthly", 1)]


def test_updating_the_card_saves_it_even_one_that_will_fail(stripe, subscribed, portal, customer, page):
    page.goto(portal["url"])

    page.fill("#card_number", "4000 0000 0000 0341")
    page.get_by_role("button", name="Update card").click()

    assert page.get_by_role("status").inner_text().startswith("Card saved: Visa ending in 0341")
    assert page.get_by_test_id("card-on-file").inner_text().startswith("Visa ending in 0341")
    assert card_last4(stripe, customer) == "0341"
    assert "customer.updated" in event_types(stripe, customer)


def test_a_card_that_asks_for_authentication_is_saved_once_authenticated(stripe, subscribed, portal, customer, page):
    page.goto(portal["url"])
    page.fill("#card_number", "4000 0027 6000 3184")
    page.get_by_role("button", name="Update card").click()

    assert page.get_by_test_id("stand-in-banner").is_visible()
    page.get_by_role("button", name="Fail authentication").click()
    assert page.get_by_role("alert").inner_text() == "Authentication failed. Your card was not changed."
    assert card_last4(stripe, customer) == "4242"

    page.fill("#card_number", "4000 0027 6000 3184")
    page.get_by_role("button", name="Update card").click()
    page.get_by_role("button", name="Complete authentication").click()
    assert page.get_by_test_id("card-on-file").inner_text().startswith("Visa ending in 3184")
    assert card_last4(stripe, customer) == "3184"


def test_a_number_that_is_not_a_test_card_changes_nothing(stripe, subscribed, portal, customer, page):
    page.goto(portal["url"])
    page.fill("#card_number", "5555 5555 5555 4444")
    page.get_by_role("button", name="Update card").click()

    assert page.locator("#card_number-error").inner_text() == (
        "That is not one of the test cards listed below; no other card works here.")
    assert card_last4(stripe, customer) == "4242"


def test_cancelling_at_period_end_and_undoing_it(stripe, subscribed, portal, customer, page):
    ends = pages.day(subscribed["current_period_end"])
    page.goto(portal["url"])

    page.get_by_role("button", name="Cancel plan at the end of the period").click()

    assert page.get_by_role("status").inner_text() == f"Your plan will end on {ends}. You can renew it until then."
    assert page.get_by_test_id("plan-status").inner_text() == f"Cancels {ends}"
    assert stripe.call("GET", f"/v1/subscriptions/{subscribed['id']}")["cancel_at_period_end"] is True

    page.get_by_role("button", name="Don't cancel — keep my plan").click()

    assert page.get_by_role("status").inner_text() == f"Your plan will renew on {ends}."
    assert page.get_by_test_id("plan-status").inner_text() == "Active"
    assert stripe.call("GET", f"/v1/subscriptions/{subscribed['id']}")["cancel_at_period_end"] is False
    assert event_types(stripe, customer).count("customer.subscription.updated") >= 2


def test_a_customer_without_a_subscription_can_still_save_a_card(stripe, portal, customer, page):
    page.goto(portal["url"])

    assert "This customer has no subscription yet." in page.content()
    page.fill("#card_number", "4242424242424242")
    page.get_by_role("button", name="Update card").click()
    assert card_last4(stripe, customer) == "4242"
