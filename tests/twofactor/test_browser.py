"""Two-factor sign-in in a real browser, at phone and desktop widths: a member sets it up from the
security page and signs in with a code; an operator sets it up at the first console sign-in."""

from __future__ import annotations

import re

import pyotp
import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.conftest import PASSWORD, tenant_user
from tests.e2e.conftest import browser, page, screenshot, sign_in, site  # noqa: F401  (the shared browser harness)
from tests.platform_admin.conftest import public_user
from tests.signin import next_code

pytestmark = pytest.mark.e2e


def secret_shown(page) -> str:  # noqa: F811
    return page.locator("code").filter(has_text=re.compile(r"^[A-Z2-7 ]{16,}$")).first.inner_text().replace(" ", "")


@pytest.mark.parametrize("width", [390, 1440])
def test_a_member_sets_up_two_factor_and_signs_in_with_a_code(width, make_organization, page, site, sign_in, screenshot):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    organization = make_organization(name="Code Works")
    member = tenant_user(organization, role="member")
    sign_in(page, organization, member, "/accounts/security/")
    screenshot(page, f"security-off-{width}")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    expect(page.locator(".qr-code svg")).to_be_visible()
    screenshot(page, f"set-up-{width}")
    page.fill("input[name=code]", "000000")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".field-error")).to_contain_text("That code is wrong")
    page.fill("input[name=code]", pyotp.TOTP(secret_shown(page)).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    screenshot(page, f"recovery-codes-{width}")
    page.get_by_role("link", name="I've saved them, continue").click()
    expect(page.get_by_text("10 recovery codes left")).to_be_visible()
    screenshot(page, f"security-on-{width}")

    page.get_by_role("button", name="Sign out").click()
    page.fill("input[name=username]", member.email)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/two-factor/$"))
    screenshot(page, f"code-{width}")
    with schema_context(organization.schema_name):
        code = next_code(member)
    page.fill("input[name=code]", code)
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("width", [390, 1440])
def test_an_operator_sets_up_two_factor_at_the_first_console_sign_in(width, transactional_db, page, site, screenshot):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    operator = public_user("first@unison.test", is_staff=True, is_superuser=True)
    page.goto(site.url("/admin/login/"))
    page.fill("input[name=username]", operator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/login/set-up/$"))
    expect(page.locator("svg.segno")).to_be_visible()
    screenshot(page, f"console-set-up-{width}")
    page.fill("input[name=code]", pyotp.TOTP(secret_shown(page)).now())
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/recovery-codes/$"))
    screenshot(page, f"console-recovery-codes-{width}")
    page.get_by_role("link", name="I've saved them, continue").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page.locator("[data-kpi=organizations]")).to_be_visible()
