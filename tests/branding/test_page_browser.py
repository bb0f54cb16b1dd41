"""Settings → Branding in Chromium at 390 and 1440 px: the logo in the menu, buttons in the accent."""

from __future__ import annotations

import pytest

from tests.branding.conftest import image_bytes
from tests.e2e import conftest as e2e
from tests.ui.test_pages_browser import WIDTHS, _look

browser, site, sign_in = e2e.browser, e2e.site, e2e.sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_brands_the_workspace_and_its_pages_show_it(browser, site, sign_in, enterprise, owner, tmp_path,
                                                             width):
    logo = tmp_path / "logo.png"
    logo.write_bytes(image_bytes((360, 90), colour=(15, 118, 110)))
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context.new_page(), enterprise, owner, "/settings/branding/")
    _look(page, "branding")
    page.get_by_label("Accent colour").fill("#7fb2ff")
    page.get_by_role("button", name="Save branding").click()
    assert "nearest darker shade that passes" in page.locator("#field-accent_colour .field-error").inner_text()
    _look(page, "branding-errors")
    page.get_by_label("Accent colour").fill("#0f766e")
    page.get_by_label("E-mail sender name").fill("Acme Quality")
    page.locator("input[type=file]").set_input_files(str(logo))
    page.get_by_role("button", name="Save branding").click()
    assert page.locator(".message", has_text="Branding saved").count() == 1
    # The logo loads after the page: wait until the browser has it, then read its width.
    logo_image = page.locator(".app-brand img.brand-logo")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo_image.element_handle())
    assert logo_image.evaluate("img => img.naturalWidth") == 360
    background = page.get_by_role("button", name="Save branding").evaluate("b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(15, 118, 110)"
    _look(page, "branding-saved")
    page.goto(site.tenant_url(enterprise, "/plants/"))
    _look(page, "branded-plants")
    context.close()
