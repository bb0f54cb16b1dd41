"""The Content-Security-Policy and Permissions-Policy (unison.security_headers): sent with every answer,
strict on scripts, and every page of the marketing site, the tenant app and the console renders in
Chromium without a single violation of it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tenants.services import login_token_issue
from tests.conftest import client_for
from tests.e2e.conftest import browser, page, site  # noqa: F401  (the shared browser harness)
from tests.platform_admin.conftest import console_client, public_user
from tests.shopfloor.conftest import plan_set
from tests.signin import console_browser_sign_in


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split("; "))}


def test_every_answer_carries_both_policies_and_a_fresh_nonce(organization, owner, public_client):
    tenant = client_for(organization, owner)
    answers = [tenant.get("/plants/"), tenant.get("/api/v1/auth/me"), public_client.get("/pricing/"),
               public_client.get("/nowhere/"), tenant.get("/plants/?q=%00")]
    for response in answers:
        directives = _directives(response)
        assert directives["default-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
        assert [source for source in directives["script-src"] if not source.startswith("'nonce-")] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]
    nonces = {_directives(response)["script-src"][-1] for response in answers}
    assert len(nonces) == len(answers)


def test_only_the_console_may_evaluate_scripts(public_client, organization, owner):
    operator = public_user("csp-operator@unison.test", is_staff=True, is_superuser=True)
    console = _directives(console_client(operator).get("/admin/"))
    assert "'unsafe-eval'" in console["script-src"]
    for response in (public_client.get("/"), client_for(organization, owner).get("/plants/")):
        assert "'unsafe-eval'" not in _directives(response)["script-src"]
        assert "'unsafe-inline'" not in _directives(response)["script-src"]


def test_forms_may_post_to_our_hosts_and_stripe_only(public_client):
    form_action = _directives(public_client.get("/signup/"))["form-action"]
    port = f":{settings.UNISON_PORT}" if settings.UNISON_PORT else ""
    assert f"{settings.UNISON_SCHEME}://*.{settings.UNISON_BASE_DOMAIN}{port}" in form_action
    assert "https://checkout.stripe.com" in form_action and "*" not in form_action


def test_the_impersonation_banners_script_carries_the_nonce(organization, owner):
    client = client_for(organization)
    link = login_token_issue(organization=organization, user_id=owner.pk, impersonator="op@unison.test",
                             reason="Ticket 1", session_seconds=600)
    client.get(urlsplit(link).path)
    response = client.get("/plants/")
    nonce = _directives(response)["script-src"][-1][len("'nonce-"):-1]
    assert f'<script nonce="{nonce}">' in response.content.decode()


# In Chromium: each page, and the violations it reports


class Violations:
    """Collect what Chromium reports against the policy: violation events and the console's refusals."""

    def __init__(self, page):  # noqa: F811
        self.found: list[str] = []
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                             "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"page error: {error}"))

    def _console(self, message):
        text = message.text
        if message.type in ("error", "warning") and re.search(r"Content Security Policy|CSP violation|"
                                                              r"Permissions-Policy|Permissions policy", text):
            self.found.append(f"{message.page.url if message.page else ''}: {text}")


@pytest.fixture
def watched(page):  # noqa: F811
    return Violations(page)


def _visit(page, url: str, ready: str) -> None:  # noqa: F811
    page.goto(url)
    page.locator(ready).first.wait_for()
    page.wait_for_load_state("networkidle")


@pytest.mark.e2e
def test_the_marketing_pages_render_without_violations(site, page, watched):  # noqa: F811
    for path, ready in (("/", "main"), ("/pricing/", "main"), ("/signup/", "form")):
        _visit(page, site.url(path), ready)
    page.fill("#id_organization_name", "Policy Check Works")  # signup.js fills the address, htmx checks it
    page.wait_for_load_state("networkidle")
    assert watched.found == []


@pytest.mark.e2e
def test_the_tenant_app_renders_without_violations(site, page, watched, make_organization):  # noqa: F811
    from tests.conftest import tenant_user

    organization = make_organization(name="Policy Works")
    plan_set(organization, "enterprise")
    owner = tenant_user(organization, role="owner")
    page.goto(login_token_issue(organization=organization, user_id=owner.pk, impersonator="op@unison.test",
                                reason="Checking the policy", session_seconds=600))
    page.locator(".banner-impersonation").wait_for()  # its countdown is the app's one inline script
    for path, ready in (("/", "main"), ("/plants/", "main"), ("/materials/", "main"), ("/work-orders/", "main"),
                        ("/ncrs/", "main"), ("/billing/", "main"), ("/team/", "main"), ("/plants/new/", "form"),
                        ("/api/docs/", ".opblock-summary-path")):
        _visit(page, site.tenant_url(organization, path), ready)
    assert watched.found == []


@pytest.mark.e2e
def test_redoc_is_refused_only_the_logo_it_asks_the_internet_for(site, page, watched):  # noqa: F811
    _visit(page, site.url("/api/redoc/"), "h1")
    assert [found for found in watched.found if "cdn.redoc.ly" not in found] == []


@pytest.mark.e2e
def test_the_console_renders_without_violations(site, page, watched, make_organization, transactional_db):  # noqa: F811
    organization = make_organization(name="Console Works")
    operator = public_user("csp-console@unison.test", is_staff=True, is_superuser=True)
    console_browser_sign_in(page, site, operator)
    page.locator("canvas.chart").first.wait_for()
    for path, ready in (("/admin/tenants/organization/", "#result_list"),
                        (f"/admin/tenants/organization/{organization.pk}/change/", "input[name=name]"),
                        (f"/admin/impersonate/?organization={organization.pk}", "select[name=user]")):
        _visit(page, site.url(path), ready)
    page.locator("#nav-sidebar, [x-data]").first.wait_for()  # Alpine.js ran (the policy lets the console eval)
    assert watched.found == []
