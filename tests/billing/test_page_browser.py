"""Paying on the billing page in Chromium, end to end.

Real: PostgreSQL, the live server on the tenant host, Debian's Chromium (Playwright), localstripe
over HTTP, dj-stripe's signed webhooks into the live server and a Celery worker that handles them. Emulated by
devstripe/extension.py: the Checkout page (a "Pay" button that completes the session
with a test card and returns to the success URL).
"""

from __future__ import annotations

import pytest

from subscriptions.models import Subscription
from tests.billing.conftest import wait_for
from tests.e2e import conftest as e2e

# The shared browser harness (live server on tenant hosts, Debian's Chromium, signed-in pages).
browser, site, page, sign_in = e2e.browser, e2e.site, e2e.page, e2e.sign_in

pytestmark = [pytest.mark.stripe, pytest.mark.e2e]


def test_the_owner_pays_in_the_browser_and_sees_the_new_plan(webhooks, site, page, sign_in, organization, owner):
    sign_in(page, organization, owner, "/billing/")
    assert page.get_by_test_id("plan-status").inner_text() == "Trialing"

    page.select_option("#id_tier", "starter")
    page.fill("#id_add_on_extra_user", "1")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url("**/billing/?checkout=success")

    assert "Thank you" in page.content()
    wait_for(lambda: Subscription.objects.get(organization=organization).status == "active", what="the webhook")
    page.reload()
    assert page.get_by_test_id("plan-status").inner_text() == "Active"
    assert page.get_by_test_id("plan-name").inner_text() == "Starter"
    assert page.get_by_role("button", name="Manage payment method").is_visible()
