"""Paying on the billing page in Chromium, end to end.

Real: PostgreSQL, the live server on the tenant host, Debian's Chromium (Playwright), localstripe
over HTTP, dj-stripe's signed webhooks into the live server and a Celery worker that handles them. Emulated by
devstripe: the Checkout page (devstripe/checkout_page.py), where the owner types the 4242 test card and pays;
it completes the session and returns to the success URL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from devstripe.pages import money
from subscriptions import catalog
from subscriptions.models import Subscription
from tests.billing.conftest import wait_for
from tests.e2e import conftest as e2e

# The shared browser harness (live server on tenant hosts, Debian's Chromium, signed-in pages).
browser, site, page, sign_in = e2e.browser, e2e.site, e2e.page, e2e.sign_in

pytestmark = [pytest.mark.stripe, pytest.mark.e2e]


def test_the_owner_pays_in_the_browser_and_sees_the_new_plan(webhooks, site, page, sign_in, organization, owner):
    # A trial about to end: Checkout charges the first month today (with days left, Stripe would keep trialing).
    Subscription.objects.filter(organization=organization).update(trial_ends_at=timezone.now() + timedelta(hours=20))
    sign_in(page, organization, owner, "/billing/")
    assert page.get_by_test_id("plan-status").inner_text() == "Trialing"

    page.select_option("#id_tier", "starter")
    page.fill("#id_add_on_extra_user", "1")
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/billing/plan/")  # what the plan costs is confirmed first, then Checkout
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url("**/_test/checkout/cs_test_*")
    assert page.get_by_text("Local Stripe stand-in — test mode, no money moves").is_visible()
    assert "Starter" in page.get_by_role("list", name="What you are buying").inner_text()
    due = catalog.tier("starter").monthly_cents + catalog.ADD_ONS["extra_user"].monthly_cents_per_unit
    assert page.get_by_test_id("due-today").inner_text() == money(due, "usd")
    page.fill("#card_number", "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/billing/?checkout=success")

    assert "Thank you" in page.content()
    wait_for(lambda: Subscription.objects.get(organization=organization).status == "active", what="the webhook")
    page.reload()
    assert page.get_by_test_id("plan-status").inner_text() == "Active"
    assert page.get_by_test_id("plan-name").inner_text() == "Starter"
    assert page.get_by_role("button", name="Manage payment method").is_visible()
