"""Settings → API keys in Chromium at 390 and 1440 px: make a key, see it once, revoke another."""

from __future__ import annotations

import pytest

from tests.apikeys.conftest import key_make
from tests.e2e import conftest as e2e
from tests.ui.test_pages_browser import WIDTHS, _look

browser, site, sign_in = e2e.browser, e2e.site, e2e.sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_makes_a_key_sees_it_once_and_revokes_one(browser, site, sign_in, enterprise, owner, width):
    key_make(enterprise, name="Old script", scope="read", expires_in_days=30)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context.new_page(), enterprise, owner, "/settings/api-keys/")
    current = page.locator('.app-nav a[aria-current="page"]')
    assert current.count() == 1 and current.get_attribute("href") == "/settings/api-keys/"
    _look(page, "api-keys")
    page.get_by_label("Name").fill("ERP sync")
    page.get_by_label("Read and write").check()
    page.get_by_role("button", name="Make key").click()
    raw = page.get_by_test_id("new-key").input_value()
    assert raw.startswith("uk_") and len(raw) == 55
    _look(page, "api-keys-created")
    page.locator("summary", has_text="Revoke").first.click()
    page.get_by_role("button", name="Revoke ERP sync").click()
    assert page.locator(".message", has_text="API key ERP sync is revoked").count() == 1
    assert raw not in page.content()
    _look(page, "api-keys-revoked")
    page.get_by_role("button", name="Make key").click()
    assert page.locator("#field-name .field-error").count() == 1
    context.close()
