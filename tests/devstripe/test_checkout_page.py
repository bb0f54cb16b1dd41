"""The local Stripe's Checkout page in Chromium: what is bought, the test cards, and where it returns.

Real: the devstripe server process, its pages over HTTP, Debian's Chromium, a plain HTTP server as
Unison's success and cancel pages. Nothing is emulated here beyond devstripe itself.
"""

from __future__ import annotations

import re

import pytest
import requests

from devstripe import pages
from tests.devstripe.conftest import BANNER, event_types, subscriptions_of

pytestmark = [pytest.mark.stripe, pytest.mark.e2e]

DECLINED = "Your card was declined. Nothing was charged — try another card."


def pay(page, number: str) -> None:
    page.fill("#card_number", number)
    page.fill("#expiry", "12 / 34")
    page.fill("#cvc", "123")
    page.get_by_role("button", name="Pay").click()


def test_a_good_card_pays_and_returns_to_the_success_url(stripe, checkout, customer, page):
    session = checkout(("starter_monthly", 1), ("addon_extra_user_monthly", 2))
    page.goto(session["url"])

    assert page.get_by_test_id("stand-in-banner").inner_text() == BANNER
    lines = page.get_by_role("list", name="What you are buying").inner_text()
    assert "Starter" in lines and "Qty 1 × $49.00 per month" in lines
    assert "Extra user" in lines and "Qty 2 × $10.00 per month" in lines
    assert page.get_by_test_id("due-today").inner_text() == "$69.00"
    assert page.get_by_role("link", name="Cancel and return to Unison").get_attribute("href") == session["cancel_url"]

    pay(page, "4242 4242 4242 4242")
    page.wait_for_url(session["success_url"])

    assert "Back in Unison" in page.content()
    done = stripe.call("GET", f"/v1/checkout/sessions/{session['id']}")
    assert (done["status"], done["payment_status"]) == ("complete", "paid")
    subscription = stripe.call("GET", f"/v1/subscriptions/{done['subscription']}")
    assert subscription["status"] == "active"
    assert sorted(i["quantity"] for i in subscription["items"]["data"]) == [1, 2]
    assert "checkout.session.completed" in event_types(stripe, customer)


def test_a_trial_says_when_it_ends_and_that_nothing_is_due_today(stripe, checkout, customer, page):
    session = checkout(("professional_monthly", 1), trial_days=14)
    page.goto(session["url"])

    ends = pages.day(int(session["subscription_data"]["trial_end"]))
    assert page.get_by_test_id("trial").inner_text() == f"Free trial until {ends}, then $149.00 per month."
    assert page.get_by_test_id("due-today").inner_text() == "$0.00"

    pay(page, "4242424242424242")
    page.wait_for_url(session["success_url"])
    (subscription,) = subscriptions_of(stripe, customer)
    assert subscription["status"] == "trialing"


def test_a_declined_card_says_so_charges_nothing_and_the_session_stays_open(stripe, checkout, customer, page):
    session = checkout(("starter_monthly", 1))
    page.goto(session["url"])

    pay(page, "4000 0000 0000 0341")

    assert page.get_by_role("alert").inner_text() == DECLINED
    assert page.get_by_test_id("stand-in-banner").is_visible()
    assert stripe.call("GET", f"/v1/checkout/sessions/{session['id']}")["status"] == "open"
    assert subscriptions_of(stripe, customer) == []
    assert "customer.subscription.created" not in event_types(stripe, customer)

    pay(page, "4242 4242 4242 4242")  # another card on the same page still pays
    page.wait_for_url(session["success_url"])
    assert [s["status"] for s in subscriptions_of(stripe, customer)] == ["active"]


def test_the_authentication_card_asks_first_and_then_pays(stripe, checkout, customer, page):
    session = checkout(("starter_monthly", 1))
    page.goto(session["url"])

    pay(page, "4000 0027 6000 3184")

    assert page.url.endswith(f"/_test/checkout/{session['id']}/authenticate")
    assert page.get_by_test_id("stand-in-banner").is_visible()
    assert "a payment of $49.00 to Unison" in page.content()
    assert subscriptions_of(stripe, customer) == []
    page.get_by_role("button", name="Complete authentication").click()

    page.wait_for_url(session["success_url"])
    (subscription,) = subscriptions_of(stripe, customer)
    assert subscription["status"] == "active"
    assert "invoice.payment_succeeded" in event_types(stripe, customer)


def test_failing_authentication_returns_to_checkout_with_a_message(stripe, checkout, customer, page):
    session = checkout(("starter_monthly", 1))
    page.goto(session["url"])
    pay(page, "4000002760003184")

    page.get_by_role("button", name="Fail authentication").click()

    page.wait_for_url(re.compile(rf"/_test/checkout/{session['id']}\?error=authentication_failed$"))
    assert "Authentication failed. Nothing was charged" in page.get_by_role("alert").inner_text()
    assert stripe.call("GET", f"/v1/checkout/sessions/{session['id']}")["status"] == "open"
    assert subscriptions_of(stripe, customer) == []


@pytest.mark.parametrize(("typed", "error"), [
    ("", "Enter a card number."),
    ("4242 4242", "A card number has 16 digits, like 4242 4242 4242 4242."),
    ("4111 1111 1111 1111", "That is not one of the test cards listed below; no other card works here."),
])
def test_a_number_that_is_not_a_test_card_is_a_field_error(stripe, checkout, customer, page, typed, error):
    session = checkout(("starter_monthly", 1))
    page.goto(session["url"])

    pay(page, typed)

    field = page.locator("#card_number")
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == typed
    assert page.locator(f"#{field.get_attribute('aria-describedby').split()[0]}").inner_text() == error
    assert stripe.call("GET", f"/v1/checkout/sessions/{session['id']}")["status"] == "open"
    assert subscriptions_of(stripe, customer) == []


@pytest.mark.parametrize("path", ["/_test/checkout/cs_test_unknown", "/_test/portal/bps_unknown"])
def test_an_unknown_session_is_a_page_that_says_so(stripe, path):
    response = requests.get(stripe.url + path, timeout=10)

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert BANNER in response.text and "link is not valid" in response.text
