"""Settings → Delete workspace in Chromium at 390 and 1440 px: a wrong name, the request, the banner, undo."""

from __future__ import annotations

import pytest

from tenants.models import Organization
from tests.e2e import conftest as e2e
from tests.ui.test_pages_browser import WIDTHS, _look

browser, site, sign_in = e2e.browser, e2e.site, e2e.sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", WIDTHS)
def test_an_owner_asks_for_deletion_sees_the_date_and_undoes_it(browser, site, sign_in, organization, owner, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context.new_page(), organization, owner, "/settings/delete/")
    _look(page, "deletion")
    page.get_by_label("Type the workspace's name to confirm").fill("Acme")
    page.get_by_role("button", name="Delete Acme Works").click()
    assert "exactly as shown" in page.locator("#field-confirm_name .field-error").inner_text()
    _look(page, "deletion-wrong-name")
    assert Organization.objects.get(pk=organization.pk).deletion_due_at is None

    page.get_by_label("Type the workspace's name to confirm").fill("Acme Works")
    page.get_by_role("button", name="Delete Acme Works").click()
    banner = page.locator("[data-banner=deletion]")
    due = Organization.objects.get(pk=organization.pk).deletion_due_at
    assert f"{due:%-d %b %Y}" in banner.inner_text()
    _look(page, "deletion-pending")
    page.goto(site.tenant_url(organization, "/plants/"))
    assert page.locator("[data-read-only-note]").count() == 1
    banner.get_by_role("button", name="Undo deletion").click()
    page.wait_for_selector("text=Deletion undone")
    assert page.locator("[data-banner=deletion]").count() == 0
    assert Organization.objects.get(pk=organization.pk).deletion_due_at is None
    context.close()
