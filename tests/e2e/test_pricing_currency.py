"""The pricing page's currency switch in Chromium: links that work without JavaScript, remembered
across pages, rupees grouped the Indian way, an unknown currency explained; axe-clean at 390 and 1440 px.

Screenshots: test-output/screenshots/pricing-currency-<currency>-<width>.png.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SCREENSHOTS, TIMEOUT_MS
from tests.ui.axe import axe_findings, summary


@pytest.mark.parametrize("width", (390, 1440))
def test_the_switch_changes_and_remembers_the_currency_without_javascript(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(site.url("/pricing/"))
    assert page.get_by_test_id("price-starter-monthly").inner_text().startswith("$49")

    page.get_by_role("navigation", name="Currency").get_by_role("link", name="INR").click()

    page.wait_for_url("**/pricing/?currency=inr")
    assert page.get_by_test_id("price-starter-monthly").inner_text().startswith("₹2,999")
    assert page.get_by_test_id("currency-inr").get_attribute("aria-current") == "true"
    assert "₹6,47,989.20" in page.get_by_test_id("price-enterprise-annual").text_content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"pricing-currency-inr-{width}.png"), full_page=True)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px"

    page.goto(site.url("/"))  # remembered on the other public pages
    assert page.get_by_test_id("starting-price").inner_text() == "₹2,999"
    page.goto(site.url("/signup/"))
    assert page.get_by_label("Billing currency").input_value() == "inr"

    page.goto(site.url("/pricing/?currency=xyz"))
    assert "We don't sell in “xyz”" in page.get_by_test_id("currency-refusal").inner_text()
    assert page.get_by_test_id("price-starter-monthly").inner_text().startswith("$49")
    page.screenshot(path=str(SCREENSHOTS / f"pricing-currency-unknown-{width}.png"), full_page=True)
    context.close()


def test_the_pricing_page_in_each_currency_has_no_serious_accessibility_finding(browser, site):
    findings = {}
    for width in (390, 1440):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for query in ("inr", "eur", "xyz"):
            page.goto(site.url(f"/pricing/?currency={query}"))
            found = axe_findings(page)
            if found:
                findings[f"pricing-{query}-{width}"] = found
        context.close()
    assert not findings, summary(findings)
