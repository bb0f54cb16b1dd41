"""Single sign-on in Chromium at 390 and 1440 px: the owner sets up OIDC, then a newcomer signs in with SSO.

The whole round trip is real: the live server, the provider process (tests/sso/oidc_provider.py) and
the browser following its redirects. Each page is screenshotted and checked with axe.
"""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from tests.e2e import conftest as e2e
from tests.sso.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.ui import axe
from tests.ui.test_pages_browser import WIDTHS, _look

browser, site, sign_in = e2e.browser, e2e.site, e2e.sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _checked(page, name: str) -> None:
    _look(page, name)
    assert axe.look(page, "sso", name) == [], name


@pytest.mark.parametrize("width", WIDTHS)
def test_the_owner_sets_up_oidc_and_a_newcomer_signs_in_with_sso(
    browser, site, sign_in, enterprise, owner, oidc_provider, width
):
    oidc_provider.act(email=f"newcomer-{width}@idp.example.com", name="Nia Newcomer", groups=["plant-admins"])
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = sign_in(context.new_page(), enterprise, owner, "/settings/sso/")
    _checked(page, "sso-settings")
    page.get_by_label("OpenID Connect").check()
    page.get_by_label("Offer “Sign in with SSO” on the sign-in page").check()
    page.get_by_label("OIDC issuer").fill("not a url")
    page.get_by_role("button", name="Save single sign-on").click()
    assert page.locator("#field-issuer .field-error").count() == 1
    _checked(page, "sso-settings-errors")
    page.get_by_label("OIDC issuer").fill(oidc_provider.url)
    page.get_by_label("OIDC client id").fill(CLIENT_ID)
    page.get_by_label("OIDC client secret").fill(CLIENT_SECRET)
    page.get_by_label("Role claim").fill("groups")
    page.get_by_label("Role mapping").fill("plant-admins = admin")
    page.get_by_role("button", name="Save single sign-on").click()
    assert page.get_by_text("Single sign-on saved.").count() == 1
    assert page.get_by_label("OIDC client secret").input_value() == ""  # never shown back
    page.get_by_role("button", name="Test connection").click()
    assert page.get_by_text("Connection works.").count() == 1
    _checked(page, "sso-settings-tested")
    context.close()

    visitor = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    visitor.goto(site.tenant_url(enterprise, "/accounts/login/"))
    _checked(visitor, "sso-sign-in")
    visitor.get_by_role("link", name="Sign in with SSO").click()
    visitor.wait_for_url(lambda url: url.startswith(site.tenant_url(enterprise)) and "/accounts/login/" not in url)
    assert visitor.get_by_role("button", name="Sign out").count() + visitor.get_by_text("Nia").count() >= 1
    with schema_context(enterprise.schema_name):
        assert User.objects.get(email=f"newcomer-{width}@idp.example.com").role == "admin"
    visitor.context.close()
