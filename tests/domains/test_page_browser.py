"""Settings → Custom domains in Chromium at 390 and 1440 px: claim, the DNS record, verify, then sign in there.

Chromium resolves hosts under example.test to this machine (tests/e2e CHROMIUM_ARGS), so the workspace is
reached on its custom host through the live server, with the browser's own CSRF cookie and Origin header.
"""

from __future__ import annotations

import pytest

from domains.models import CustomDomain
from tests.conftest import PASSWORD
from tests.e2e import conftest as e2e
from tests.ui.test_pages_browser import WIDTHS, _look

browser, site, sign_in = e2e.browser, e2e.site, e2e.sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_adds_verifies_and_signs_in_on_a_custom_domain(browser, site, sign_in, enterprise, owner, dns, width):
    host = f"mes{width}.example.test"
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context.new_page(), enterprise, owner, "/settings/domains/")
    _look(page, "domains")
    page.get_by_label("Host name").fill("https://mes.example.test/app")
    page.get_by_role("button", name="Add host").click()
    assert "without http://" in page.locator("#field-host .field-error").inner_text()
    _look(page, "domains-errors")
    page.get_by_label("Host name").fill(host.upper())
    page.get_by_role("button", name="Add host").click()
    row = CustomDomain.objects.get(organization=enterprise)
    assert page.get_by_test_id("record-value").inner_text() == row.token
    assert f"_unison-challenge.{host}" in page.locator(f'[data-domain="{host}"]').inner_text()
    page.get_by_role("button", name=f"Verify {host} now").click()
    assert "not verified yet" in page.locator(".message").inner_text()
    assert "No TXT record" in page.locator(f'[data-domain="{host}"] .field-error').inner_text()
    _look(page, "domains-pending")
    dns.RECORDS[row.record_name] = [row.token]
    page.get_by_role("button", name=f"Verify {host} now").click()
    assert f"{host} is verified" in page.locator(".message").inner_text()
    _look(page, "domains-verified")
    context.close()

    # Someone new, on the custom host: the sign-in form posts with the browser's CSRF cookie and Origin.
    context = browser.new_context(viewport={"width": width, "height": 900})
    there = context.new_page()
    there.goto(f"http://{host}:{site.port}/accounts/login/")
    there.get_by_label("E-mail").fill(owner.email)
    there.get_by_label("Password").fill(PASSWORD)
    there.get_by_role("button", name="Sign in").click()
    there.goto(f"http://{host}:{site.port}/settings/domains/")
    assert there.url.startswith(f"http://{host}:") and "You are here" in there.content()
    assert [cookie["domain"] for cookie in context.cookies() if cookie["name"] == "sessionid"] == [host]
    _look(there, "domains-on-custom-host")
    context.close()
