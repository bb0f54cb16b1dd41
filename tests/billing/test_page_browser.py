"""Paying and changing the plan on the billing page in Chromium, end to end.

Real: PostgreSQL, the live server on the tenant host, Debian's Chromium (Playwright), localstripe
over HTTP, dj-stripe's signed webhooks into the live server and a Celery worker that handles them. Emulated by
devstripe: the Checkout page (devstripe/checkout_page.py), where the owner types the 4242 test card and pays;
it completes the session and returns to the success URL; renewals, proration and the invoice preview.
Screenshots at 390 and 1440 px go to test-output/screenshots/ (``billing-*.png``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from devstripe.pages import money
from subscriptions import catalog
from subscriptions.models import Subscription
from tests.billing.conftest import wait_for
from tests.billing.test_plan_change import _keys, _paying, _stripe
from tests.e2e import conftest as e2e

# The shared browser harness (live server on tenant hosts, Debian's Chromium, signed-in pages).
browser, site, page, sign_in = e2e.browser, e2e.site, e2e.page, e2e.sign_in

pytestmark = [pytest.mark.stripe, pytest.mark.e2e]
WIDTHS = (390, 1440)


def _shots(page, name: str) -> None:
    """Save the page at each width (full page), checking it never scrolls sideways."""
    e2e.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        page.screenshot(path=str(e2e.SCREENSHOTS / f"billing-{name}-{width}.png"), full_page=True)
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at {width} px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_the_owner_pays_in_the_browser_and_sees_the_new_plan(webhooks, site, page, sign_in, organization, owner):
    # A trial about to end: Checkout charges the first month today (with days left, Stripe would keep trialing).
    Subscription.objects.filter(organization=organization).update(trial_ends_at=timezone.now() + timedelta(hours=20))
    sign_in(page, organization, owner, "/billing/")
    assert page.get_by_test_id("plan-status").inner_text() == "Trialing"
    _shots(page, "trial")

    page.locator("[data-tier=starter] .offer-monthly").get_by_role("button", name="Choose Starter").click()
    page.wait_for_url("**/billing/plan/")  # what the plan costs is confirmed first, then Checkout
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/_test/checkout/cs_test_*")
    assert page.get_by_text("Local Stripe stand-in — test mode, no money moves").is_visible()
    assert "Starter" in page.get_by_role("list", name="What you are buying").inner_text()
    assert page.get_by_test_id("due-today").inner_text() == money(catalog.tier("starter").monthly_cents, "usd")
    e2e.billing_address_fill(page)
    page.fill("#card_number", "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/billing/?checkout=success")

    assert "Thank you" in page.content()
    wait_for(lambda: Subscription.objects.get(organization=organization).status == "active", what="the webhook")
    page.reload()
    assert page.get_by_test_id("plan-status").inner_text() == "Active"
    assert page.get_by_test_id("plan-name").inner_text() == "Starter"
    assert page.get_by_test_id("payment-method").inner_text().startswith("Visa ending in 4242")
    assert page.get_by_role("button", name="Manage payment method").is_visible()


def test_a_paying_owner_switches_cycles_upgrades_adds_users_and_cancels_then_undoes_it(
        webhooks, stripe_server, site, page, sign_in, organization, owner):
    subscription = _paying(organization, owner, stripe_server)
    sign_in(page, organization, owner, "/billing/")
    professional = page.locator("[data-tier=professional]")
    _shots(page, "paying")

    # The cycle toggle shows one cycle's prices and actions at a time.
    assert professional.get_by_test_id("price-professional-monthly").is_visible()
    assert not professional.get_by_test_id("price-professional-annual").is_visible()
    page.locator("label[for=cycle-annual]").click()
    assert professional.get_by_test_id("price-professional-annual").inner_text() == "$2,149.20"
    assert page.locator("[data-tier=starter]").get_by_role("button", name="Switch to annual at renewal").is_visible()
    page.locator("label[for=cycle-monthly]").click()

    # Add-on steppers: the total follows, then Stripe's preview; Back changes nothing.
    plus = page.locator("#field-add_on_extra_user").get_by_role("button", name="One user more")
    plus.click()
    plus.click()
    assert page.locator("#id_add_on_extra_user").input_value() == "2"
    assert page.locator("[data-new-total]").inner_text() == "$59"
    page.get_by_role("button", name="Review the change").click()
    page.wait_for_url("**/billing/plan/")
    assert "2 × Extra user" in page.get_by_role("table", name="What you are choosing").inner_text()
    page.get_by_role("link", name="Back").click()
    assert _keys(_stripe(stripe_server, subscription)) == [("starter_monthly", 1)]

    # A bad quantity: the message is next to the field, the field keeps it and has the focus.
    page.fill("#id_add_on_extra_user", "-4")
    page.get_by_role("button", name="Review the change").click()
    error = page.locator("#id_add_on_extra_user_error")
    assert "greater than or equal to 0" in error.inner_text()
    assert page.locator("#id_add_on_extra_user").input_value() == "-4"
    assert page.evaluate("document.activeElement.id") == "id_add_on_extra_user"
    assert page.get_by_role("alert").first.is_visible()
    _shots(page, "bad-quantity")

    # Upgrade: Stripe's proration first, then the change.
    professional.get_by_role("button", name="Upgrade to Professional, monthly").click()
    page.wait_for_url("**/billing/plan/")
    charged = page.get_by_test_id("charged-today").inner_text()
    assert charged.startswith("$") and charged != "$0"
    _shots(page, "confirm-upgrade")
    page.get_by_role("button", name=f"Pay {charged} and change plan").click()
    page.wait_for_url("**/billing/")
    assert page.get_by_test_id("plan-name").inner_text() == "Professional"
    assert _keys(_stripe(stripe_server, subscription)) == [("professional_monthly", 1)]
    assert page.locator("#invoices").get_by_role("link", name="PDF").first.is_visible()

    # Cancel at period end, asked once in words, then undone.
    page.get_by_text("Cancel subscription").click()
    page.get_by_role("button", name="Cancel at period end").click()
    page.wait_for_url("**/billing/")
    assert page.get_by_test_id("ends-on").is_visible()
    assert _stripe(stripe_server, subscription)["cancel_at_period_end"] is True
    _shots(page, "cancelled")
    page.get_by_role("button", name="Keep my subscription").click()
    page.wait_for_url("**/billing/")
    assert page.get_by_text("Cancel subscription").is_visible()
    assert _stripe(stripe_server, subscription)["cancel_at_period_end"] is False
