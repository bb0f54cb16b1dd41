"""The console in a real browser: an operator signs in, reads the dashboard, impersonates a
customer's user on the tenant host and ends it from the banner; both ends are audited."""

from __future__ import annotations

import re

import pytest

from tests.conftest import tenant_user
from tests.e2e.conftest import browser, page, screenshot, site  # noqa: F401  (the shared browser harness)
from tests.platform_admin.conftest import public_user
from tests.signin import console_browser_sign_in, customer_audit

pytestmark = pytest.mark.e2e


@pytest.fixture
def signed_in_operator(transactional_db, page, site):  # noqa: F811
    operator = public_user("operator@unison.test", is_staff=True, is_superuser=True)
    console_browser_sign_in(page, site, operator)
    return operator


def test_the_dashboard_shows_figures_and_charts(make_organization, signed_in_operator, page, site, screenshot):  # noqa: F811
    make_organization(name="Gearbox Ltd")
    page.goto(site.url("/admin/?period=7d"))
    assert page.locator("[data-kpi=organizations]").inner_text() == "1"
    assert page.locator("[data-kpi=trials]").inner_text() == "1"
    # Drawn: signups per day, week and month; empty states for MRR, conversions, churn and MRR by month.
    assert page.locator("canvas.chart").count() == 3
    assert page.locator("[data-chart-empty]").count() == 4
    assert "Gearbox Ltd" in page.locator("#recent-signups").inner_text()
    screenshot(page, "dashboard")


def test_an_operator_impersonates_a_user_and_ends_it_from_the_banner(
    make_organization, signed_in_operator, page, site, screenshot  # noqa: F811
):
    organization = make_organization(name="Gearbox Ltd")
    member = tenant_user(organization, role="member", email="mia@gearbox.example.com")
    page.goto(site.url(f"/admin/impersonate/?organization={organization.pk}"))
    page.select_option("select[name=user]", str(member.pk))
    page.fill("input[name=minutes]", "20")
    page.fill("textarea[name=reason]", "Ticket 7: cannot see the plant")
    page.get_by_role("button", name="Open Gearbox Ltd as this user").click()
    page.wait_for_url(re.compile(rf"^http://{re.escape(organization.host)}:{site.port}/"))
    banner = page.locator(".banner-impersonation")
    assert banner.is_visible()
    text = banner.inner_text()
    assert f"Signed in as {member} by operator {signed_in_operator.email}" in text
    assert re.search(r"— (20|19) min left", text), text
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "impersonating")
    assert list(customer_audit().values_list("action", flat=True)) == ["impersonation_start"]

    banner.get_by_role("button", name="End impersonation").click()
    page.wait_for_url(site.url("/admin/"))  # back on the console, still signed in there
    assert f"Your impersonation of {member.email} in Gearbox Ltd is over: you ended it." in page.inner_text("body")
    screenshot(page, "back-on-the-console")
    page.goto(site.tenant_url(organization, "/"))
    page.wait_for_url(re.compile(r"/accounts/login/"))  # the tenant session is gone
    assert not page.locator(".banner-impersonation").count()
    ended = customer_audit().get(action="impersonation_end")
    assert ended.details["user_email"] == member.email and ended.actor_email == signed_in_operator.email


def test_an_operator_suspends_a_subscription_with_a_reason(make_organization, signed_in_operator, page, site, screenshot):  # noqa: F811
    organization = make_organization(name="Gearbox Ltd")
    page.goto(site.url(f"/admin/tenants/organization/{organization.pk}/change/"))
    assert "olive owner" in page.locator("#organization-users").inner_text().lower()
    assert "start_trial" in page.locator("#subscription-events").inner_text()
    screenshot(page, "organization")
    page.get_by_text("Open the subscription").click()
    page.get_by_role("link", name="Suspend").first.click()
    page.get_by_role("button", name="Suspend").click()  # no reason yet
    assert page.locator(".errors").count() >= 1
    page.fill("textarea[name=reason]", "Chargeback on the card")
    screenshot(page, "suspend-form")
    page.get_by_role("button", name="Suspend").click()
    page.wait_for_url(re.compile(r"/admin/subscriptions/subscription/\d+/change/$"))
    organization.subscription.refresh_from_db()
    # The suspension is the operator's hold: the billing status stays the trial's, the hold is beside it.
    subscription = organization.subscription
    assert subscription.status == "trialing" and subscription.held_at is not None
    assert subscription.hold_reason == "Chargeback on the card"
    assert list(customer_audit().values_list("action", flat=True)) == ["subscription_suspend"]
    page.goto(site.url("/admin/subscriptions/subscription/?held=yes"))
    assert "suspended by an operator" in page.locator("#result_list").inner_text()
    assert "Gearbox Ltd" in page.locator("#result_list").inner_text()
    page.goto(site.url("/admin/usage/?metric=plants"))
    assert "Top organisations" in page.inner_text("body")
