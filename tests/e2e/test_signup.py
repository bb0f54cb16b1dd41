"""A visitor finds the product, compares plans and signs up, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from subscriptions import catalog
from subscriptions.templatetags.subscription_tags import cents
from tenants.models import Organization
from tests.conftest import PASSWORD, unique_slug

pytestmark = pytest.mark.e2e


def organization_host(slug: str) -> str:
    from django.conf import settings

    return f"{slug}.{settings.UNISON_BASE_DOMAIN}"


def fill_signup(page, *, slug: str, email: str) -> None:
    page.get_by_label("Company name").fill("Browser Test Works")
    page.get_by_label("Workspace address").fill(slug)
    page.get_by_label("Your name").fill("Bea Browser")
    page.get_by_label("Work e-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Industry").select_option("machinery")


def test_a_visitor_compares_plans_signs_up_and_lands_signed_in_with_the_trial_banner(site, page, screenshot):
    starter = catalog.tier("starter")
    page.goto(site.url("/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("hours, not months")
    expect(page.get_by_test_id("starting-price")).to_have_text(cents(starter.monthly_cents))
    screenshot(page, "1-landing")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pricing").click()
    expect(page).to_have_url(site.url("/pricing/"))
    starter_card = page.locator('[data-tier="starter"]')
    expect(starter_card.locator(".mk-amount").locator("visible=true")).to_have_text(cents(starter.monthly_cents))
    screenshot(page, "2-pricing-monthly")

    page.get_by_text("Annual", exact=False).first.click()
    expect(starter_card.locator(".mk-amount").locator("visible=true")).to_have_text(cents(starter.annual_cents))
    expect(starter_card.get_by_text(f"You save {cents(starter.annual_saving_cents)} a year")).to_be_visible()
    screenshot(page, "3-pricing-annual")

    starter_card.get_by_role("link", name=re.compile("Start free trial")).click()
    expect(page).to_have_url(site.url("/signup/?tier=starter"))
    slug = unique_slug("browser")
    fill_signup(page, slug=slug, email=f"bea@{slug}.example.com")
    expect(page.locator("#subdomain-status")).to_contain_text(f"{organization_host(slug)} is available")
    screenshot(page, "4-signup-filled")

    page.get_by_role("button", name="Create my workspace").click()
    organization = Organization.objects.get(slug=slug)
    # New workspaces may be sent on from "/" (e.g. to onboarding); any page of the workspace will do.
    expect(page).to_have_url(re.compile("^" + re.escape(site.tenant_url(organization, "/"))))
    expect(page.locator(".nav-user")).to_contain_text("Bea Browser")
    expect(page.locator("#trial-banner")).to_contain_text(f"{catalog.TRIAL_DAYS} days left")
    screenshot(page, "5-tenant-dashboard")
    assert organization.subscription.status == "trialing"


def test_a_taken_subdomain_is_flagged_as_you_type_and_refused_on_submit(site, page, screenshot, organization):
    before = Organization.objects.count()
    page.goto(site.url("/signup/"))
    fill_signup(page, slug=organization.slug, email="someone@example.com")
    expect(page.locator("#subdomain-status")).to_contain_text("taken")
    screenshot(page, "1-taken-as-you-type")

    page.get_by_role("button", name="Create my workspace").click()
    field_error = page.locator("#id_subdomain_error")
    expect(field_error).to_contain_text("This subdomain is taken")
    expect(page.get_by_label("Workspace address")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Company name")).to_have_value("Browser Test Works")
    screenshot(page, "2-taken-on-submit")
    assert Organization.objects.count() == before


@pytest.mark.parametrize("path", ["/", "/pricing/", "/signup/"], ids=["landing", "pricing", "signup"])
def test_each_public_page_fits_a_375_pixel_screen(site, mobile_page, screenshot, path):
    mobile_page.goto(site.url(path))
    overflow = mobile_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(mobile_page, "375px")
    assert overflow <= 0


def test_the_workspace_address_is_suggested_from_the_company_name_until_you_type_one(site, page):
    page.goto(site.url("/signup/"))
    page.get_by_label("Company name").fill("Ünited Steel & Wire, Inc.")
    expect(page.get_by_label("Workspace address")).to_have_value("united-steel-wire-inc")
    expect(page.locator("#subdomain-status")).to_contain_text("united-steel-wire-inc.localhost is available")
    page.get_by_label("Workspace address").fill("usw")
    page.get_by_label("Company name").fill("Something Else")
    expect(page.get_by_label("Workspace address")).to_have_value("usw")


def test_the_billing_toggle_and_the_signup_form_work_from_the_keyboard(site, page):
    starter = catalog.tier("starter")
    page.goto(site.url("/pricing/"))
    page.locator("#cycle-monthly").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#cycle-annual")).to_be_checked()
    amount = page.locator('[data-tier="starter"] .mk-amount').locator("visible=true")
    expect(amount).to_have_text(cents(starter.annual_cents))

    page.goto(site.url("/signup/"))
    page.get_by_label("Company name").focus()
    typed = ["Keyboard Works", "kb-" + unique_slug("k")[-6:], "Kim Keys", "kim@example.com"]
    for value in typed:
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "id_password"
    assert page.get_by_label("Your name").input_value() == "Kim Keys"
