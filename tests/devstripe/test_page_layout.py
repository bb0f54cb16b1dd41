"""Every page of the local Stripe at a phone's and a desktop's width: the banner on top, nothing wider than the screen.

Saves full-page screenshots to test-output/screenshots/devstripe-<page>-<width>.png for review.
"""

from __future__ import annotations

import pytest

from tests.devstripe.conftest import BANNER
from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS

pytestmark = [pytest.mark.stripe, pytest.mark.e2e]


@pytest.mark.parametrize("width", [390, 1440])
def test_each_page_fits_the_screen_under_the_banner(browser, stripe, checkout, subscribed, portal, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def check(name: str) -> None:
        banner = page.get_by_test_id("stand-in-banner")
        assert banner.inner_text() == BANNER
        assert banner.bounding_box()["y"] == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name} is wider than {width} px"
        page.screenshot(path=str(SCREENSHOTS / f"devstripe-{name}-{width}.png"), full_page=True)

    try:
        session = checkout(("starter_monthly", 1), ("addon_extra_user_monthly", 2))
        page.goto(session["url"])
        check("checkout")
        page.fill("#card_number", "4000 0000 0000 0341")
        page.get_by_role("button", name="Pay").click()
        page.get_by_role("alert").wait_for()
        check("checkout-declined")
        page.fill("#card_number", "4242")
        page.get_by_role("button", name="Pay").click()
        page.locator("#card_number-error").wait_for()
        check("checkout-field-error")
        page.fill("#card_number", "4000 0027 6000 3184")
        page.get_by_role("button", name="Pay").click()
        page.get_by_role("button", name="Complete authentication").wait_for()
        check("authentication")
        page.goto(checkout(("professional_annual", 1), trial_days=14)["url"])
        check("checkout-trial")
        page.goto(portal["url"])
        check("portal")
        page.get_by_role("button", name="Cancel plan at the end of the period").click()
        page.get_by_role("button", name="Don't cancel — keep my plan").wait_for()
        check("portal-cancelling")
        page.goto(f"{stripe.url}/_test/checkout/cs_test_unknown")
        check("not-found")
    finally:
        context.close()


def test_amounts_are_written_as_stripe_writes_them_rupees_in_lakhs():
    from devstripe.pages import money

    assert money(123450, "usd") == "$1,234.50"
    assert [money(cents, "inr") for cents in (99900, 10000000, 123456700, 50)] == [
        "₹999.00", "₹1,00,000.00", "₹12,34,567.00", "₹0.50"]
