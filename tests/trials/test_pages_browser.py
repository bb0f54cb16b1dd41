"""In Chromium: an owner follows "Ask for more days" from the trial banner, sends a request (a missing
reason first, shown next to its field), and an operator approves it in the console. Screenshots at
390 and 1440 px."""

from __future__ import annotations

import re

import pytest

from subscriptions.models import Subscription, TrialExtensionRequest
from tests.conftest import tenant_user
from tests.e2e.conftest import browser, screenshot, sign_in, site  # noqa: F401  (the shared browser harness)
from tests.platform_admin.conftest import console_sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_asks_for_more_days_and_an_operator_approves(transactional_db, make_organization, browser, site,  # noqa: F811
                                                             sign_in, screenshot, width):  # noqa: F811
    organization = make_organization(name="Gearbox Ltd")
    owner = tenant_user(organization, role="owner")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, organization, owner, "/subscription/trial-extension/")
    page.locator("#trial-banner").get_by_role("link", name="Ask for more days").click()
    page.wait_for_url(re.compile(r"/subscription/trial-extension/$"))
    page.fill("input[name=days]", "10")
    page.get_by_role("button", name="Send the request").click()
    error = page.locator("#field-reason .field-error")
    assert "Say why you need more time" in error.inner_text()
    assert page.input_value("input[name=days]") == "10"
    screenshot(page, f"request-error-{width}")
    page.fill("textarea[name=reason]", "Our quality lead is back on the 20th and must see the NCR flow.")
    page.get_by_role("button", name="Send the request").click()
    page.locator("[data-extension-status=pending]").wait_for()
    screenshot(page, f"request-pending-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    console = context.new_page()
    console_sign_in(console, site)
    extension = TrialExtensionRequest.objects.get(organization=organization)
    console.goto(site.url(f"/admin/subscriptions/trialextensionrequest/{extension.pk}/approve/"))
    assert "Our quality lead is back on the 20th" in console.locator("#extension-request + blockquote").inner_text()
    assert console.input_value("input[name=days]") == "10"
    screenshot(console, f"console-approve-{width}")
    before = Subscription.objects.get(organization=organization).trial_ends_at
    console.fill("input[name=days]", "7")
    console.get_by_role("button", name="Approve").click()
    console.wait_for_url(re.compile(r"/admin/subscriptions/trialextensionrequest/$"))
    screenshot(console, f"console-list-{width}")
    after = Subscription.objects.get(organization=organization).trial_ends_at
    assert (after - before).days == 7
    page.reload()
    assert page.locator("[data-extension-status=approved]").count() == 1
    screenshot(page, f"request-approved-{width}")
    context.close()
