"""The trial banner in a real browser: its colour, its upgrade link, and hiding it with htmx until tomorrow."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Subscription
from tests.conftest import tenant_user
from tests.e2e.conftest import browser, page, screenshot, sign_in, site  # noqa: F401  (the shared browser harness)

pytestmark = pytest.mark.e2e


def test_an_owner_sees_the_countdown_and_hides_it_for_the_day(site, page, sign_in, screenshot, make_organization):  # noqa: F811
    organization = make_organization(name="Banner Works")
    Subscription.objects.filter(organization=organization).update(
        trial_ends_at=timezone.now() + timedelta(days=4, hours=1)
    )
    entitlements_forget(organization)  # the row was changed behind the services' back
    owner = tenant_user(organization, role="owner")
    sign_in(page, organization, owner)

    banner = page.locator('[data-banner="trial"]')
    expect(banner).to_be_visible()
    expect(banner).to_have_class("banner banner-warn")
    expect(banner).to_contain_text("5 days left in your Professional trial.")
    expect(banner.get_by_role("link", name="Upgrade now")).to_have_attribute("href", "/billing/")
    screenshot(page, "trial-banner")

    banner.get_by_role("button", name="Hide for today (the trial banner)").click()
    expect(banner).to_have_count(0)  # swapped out by htmx, no page load
    page.reload()
    expect(page.locator('[data-banner="trial"]')).to_have_count(0)
