"""A paying owner redeems a promotion code on the billing page in Chromium: a refused code is said next to its
field, a good one shows its discount on the preview, then on the billing page and in Stripe.

Real: PostgreSQL, the live server on the tenant host, Debian's Chromium (Playwright), localstripe over HTTP,
signed webhooks into the live server and a Celery worker. Emulated by devstripe: promotion codes and discounts
(devstripe/discounts.py). Screenshots at 390 and 1440 px: test-output/screenshots/billing-code-*.png.
"""

from __future__ import annotations

import pytest

from billing.services.coupons import billing_coupon_create
from tests.billing.conftest import settled
from tests.billing.test_page_browser import _shots
from tests.billing.test_plan_change import _paying, _stripe
from tests.e2e import conftest as e2e
from tests.ui.axe import axe_findings

browser, site, page, sign_in = e2e.browser, e2e.site, e2e.page, e2e.sign_in
pytestmark = [pytest.mark.stripe, pytest.mark.e2e]


def test_a_paying_owner_redeems_a_code_and_sees_the_discount(
    webhooks, stripe_server, site, page, sign_in, organization, owner
):
    billing_coupon_create(
        name="", code="LAUNCH15", duration="repeating", duration_in_months=3, percent_off=15.0, tiers=["starter"]
    )
    billing_coupon_create(name="", code="BIGONLY", duration="forever", percent_off=30.0, tiers=["enterprise"])
    subscription = _paying(organization, owner, stripe_server)
    settled()
    sign_in(page, organization, owner, "/billing/")

    page.fill("#current-promotion-code", "bigonly")
    page.get_by_role("button", name="Review with code").click()
    error = page.get_by_test_id("promotion-code-error")
    assert "BIGONLY is for Enterprise only, not Starter" in error.inner_text()
    assert page.evaluate("document.activeElement.id") == "id_promotion_code"
    _shots(page, "code-refused")

    page.fill("#id_promotion_code", "launch15")
    page.get_by_role("button", name="Apply code").click()
    assert "LAUNCH15: 15% off for 3 months" in page.get_by_test_id("discount").inner_text()
    assert page.get_by_test_id("recurring-after-discount").inner_text() == "$41.65"
    assert axe_findings(page) == []
    _shots(page, "code-preview")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/billing/")

    assert "LAUNCH15: 15% off for 3 months" in page.get_by_test_id("discount").inner_text()
    assert _stripe(stripe_server, subscription)["discount"]["coupon"]["percent_off"] == 15.0
    assert axe_findings(page) == []
    _shots(page, "code-applied")
