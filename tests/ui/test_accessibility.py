"""axe-core on every page of the three surfaces (public site, tenant app, operator console) at 390 and
1440 px: no serious or critical finding. Each page's screenshot is kept under test-output/screenshots/
(axe-<surface>-<page>-<width>.png) and each surface's findings in test-output/axe/<surface>.json.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.e2e import conftest as e2e
from tests.shopfloor.conftest import plan_set
from tests.ui import axe

browser, site = e2e.browser, e2e.site

pytestmark = pytest.mark.e2e

WIDTHS = (390, 1440)

PUBLIC_PAGES = {
    "landing": "/", "pricing": "/pricing/", "signup": "/signup/", "signin": "/signin/", "find": "/signin/find/",
    "terms": "/terms/", "privacy": "/privacy/", "contact": "/contact/", "not-found": "/no-such-page/",
}
# URL names of the public host that are not pages of their own (the console is checked on its own).
PUBLIC_NOT_PAGES = {"marketing:signup_check_subdomain", "marketing:robots", "marketing:sitemap"}

# Tenant pages by URL name: the path, with {plant}, {department}, … filled from the sample data.
TENANT_PAGES = {
    "shopfloor:dashboard": "/",
    "shopfloor:onboarding": "/onboarding/",
    "shopfloor:onboarding_step": "/onboarding/plant/",
    "shopfloor:plant_list": "/plants/",
    "shopfloor:plant_create": "/plants/new/",
    "shopfloor:plant_detail": "/plants/{plant}/",
    "shopfloor:plant_edit": "/plants/{plant}/edit/",
    "shopfloor:department_create": "/plants/{plant}/departments/new/",
    "shopfloor:department_edit": "/departments/{department}/edit/",
    "shopfloor:lane_create": "/plants/{plant}/lanes/new/",
    "shopfloor:lane_edit": "/lanes/{lane}/edit/",
    "shopfloor:shift_create": "/plants/{plant}/shifts/new/",
    "shopfloor:shift_edit": "/shifts/{shift}/edit/",
    "shopfloor:material_list": "/materials/",
    "shopfloor:material_create": "/materials/new/",
    "shopfloor:material_detail": "/materials/{material}/",
    "shopfloor:material_edit": "/materials/{material}/edit/",
    "shopfloor:material_adjust": "/materials/{material}/count/",
    "shopfloor:work_order_list": "/work-orders/",
    "shopfloor:work_order_create": "/work-orders/new/",
    "shopfloor:work_order_detail": "/work-orders/{work_order}/",
    "shopfloor:work_order_edit": "/work-orders/{work_order}/edit/",
    "shopfloor:ncr_list": "/ncrs/",
    "shopfloor:ncr_create": "/ncrs/new/",
    "shopfloor:ncr_detail": "/ncrs/{ncr}/",
    "shopfloor:ncr_edit": "/ncrs/{ncr}/edit/",
    "shopfloor:team": "/team/",
    "billing:page": "/billing/",
    "exports:page": "/settings/export/",
    "apikeys:page": "/settings/api-keys/",
    "branding:page": "/settings/branding/",
    "domains:page": "/settings/domains/",
    "deletion:page": "/settings/delete/",
    "sso:settings": "/settings/sso/",
    "accounts:security": "/accounts/security/",
    "subscriptions:trial_extension": "/subscription/trial-extension/",
}
# Pages a visitor sees before signing in (checked signed out).
TENANT_SIGNED_OUT = {
    "accounts:login": "/accounts/login/",
    "accounts:password_reset": "/accounts/password-reset/",
    "accounts:password_reset_done": "/accounts/password-reset/sent/",
    "accounts:password_reset_confirm": "/accounts/reset/MQ/not-a-token/",
    "accounts:password_reset_complete": "/accounts/reset/done/",
    "accounts:token_login": "/accounts/token/not-a-token/",
    "shopfloor:invitation_accept": "{invitation}",
}
# URL names that answer POSTs only or redirect elsewhere, not pages.
TENANT_NOT_PAGES = {
    "accounts:logout", "shopfloor:sample_data_remove", "shopfloor:department_delete", "shopfloor:lane_delete",
    "shopfloor:shift_delete", "shopfloor:work_order_advance", "shopfloor:ncr_advance",
    "shopfloor:invitation_withdraw", "subscriptions:dismiss_trial_banner", "billing:choose_plan", "billing:portal",
    "apikeys:revoke", "branding:logo",  # a POST, and the workspace's logo image
    "domains:verify", "domains:remove",
    "deletion:undo",
    # The SSO round trip: a redirect to the identity provider, its answers, and our SAML metadata (XML).
    "sso:start", "sso:oidc_callback", "sso:saml_acs", "sso:saml_metadata",
    "billing:cancel", "billing:resume", "billing:storage_overage", "billing:tax_details",
    # Steps of a sign-in or an enrolment in progress (tests/twofactor walks them).
    "accounts:two_factor", "accounts:two_factor_setup", "accounts:recovery_codes",
}


def _page_names(urlconf: str) -> set[str]:
    """Return the namespaced URL names of ``urlconf`` outside the API and its docs."""
    names: set[str] = set()

    def walk(patterns, namespace: str, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(("api/", "admin/", "stripe/")):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace, route)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver(urlconf).url_patterns, "", "")
    return names


def test_every_page_of_the_tenant_app_and_the_public_site_is_in_the_tables():
    tenant = set(TENANT_PAGES) | set(TENANT_SIGNED_OUT) | TENANT_NOT_PAGES
    assert _page_names(settings.ROOT_URLCONF) == tenant
    public = {f"marketing:{name}" for name in ("landing", "pricing", "signup", "sign_in", "workspace_find",
                                               "terms", "privacy", "contact")}
    assert _page_names(settings.PUBLIC_SCHEMA_URLCONF) == public | PUBLIC_NOT_PAGES
    assert len(PUBLIC_PAGES) - 1 == len(public)  # and the not-found page


def _check(browser, surface: str, visits, start=None) -> None:
    """Visit each (name, open) at both widths (calling ``start`` before each), collect findings, and
    fail on any outside REPORT_ONLY."""
    findings: dict[str, list[dict]] = {}
    for width in WIDTHS:
        if start:
            start()
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(e2e.TIMEOUT_MS)
        page = context.new_page()
        for name, open_page in visits:
            open_page(page)
            found = axe.look(page, surface, name)
            if found:
                findings[f"{surface}:{name}@{width}"] = found
        context.close()
    axe.report_write(surface, findings)
    assert not findings, "\n" + axe.summary(findings)


def _goto(url: str):
    return lambda page: page.goto(url)


def test_the_public_site_has_no_serious_accessibility_finding(browser, site, organization):
    def signup_errors(page):
        page.goto(site.url("/signup/"))
        page.get_by_role("button", name="Create my workspace").click()
        page.wait_for_selector(".field-error")

    def signin_errors(page):
        page.goto(site.url("/signin/"))
        page.fill("#id_subdomain", "no-such-works")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_selector(".field-error")

    def find_sent(page):
        page.goto(site.url("/signin/find/"))
        page.fill("#id_email", "someone@example.com")
        page.get_by_role("button", name="Send me my workspaces").click()
        page.wait_for_selector("[role=status]")

    visits = [(name, _goto(site.url(path))) for name, path in PUBLIC_PAGES.items()]
    visits += [("signup-errors", signup_errors), ("signin-errors", signin_errors), ("find-sent", find_sent)]
    _check(browser, "public", visits)


@pytest.fixture
def workspace_records(workspace):
    """The UI workspace with an invitation out; return it, its owner, a record id of each kind and the link."""
    from shopfloor import models, services

    organization, owner = workspace
    with schema_context(organization.schema_name):
        (invitation,) = services.invitations_send(organization=organization, emails="new@example.com")
        ids = {
            "plant": models.Plant.objects.first().pk, "department": models.Department.objects.first().pk,
            "lane": models.Lane.objects.first().pk, "shift": models.Shift.objects.first().pk,
            "material": models.Material.objects.first().pk, "work_order": models.WorkOrder.objects.first().pk,
            "ncr": models.NCR.objects.first().pk,
        }
        link = services.invitation_link(organization=organization, invitation=invitation)
    return organization, owner, ids, link


def test_the_tenant_app_has_no_serious_accessibility_finding(browser, site, workspace_records):
    from tenants.services import login_token_issue

    organization, owner, ids, invitation_link = workspace_records
    path_of = {**TENANT_SIGNED_OUT, "shopfloor:invitation_accept": "/invitations/" + invitation_link.split("/invitations/", 1)[1]}
    # The invitation link carries its host without the live server's port: open it by path.
    signed_out = [(name.split(":")[1], _goto(site.tenant_url(organization, path))) for name, path in path_of.items()]

    def sign_in(page):
        page.goto(login_token_issue(organization=organization, user_id=owner.pk))

    def form_errors(page):
        page.goto(site.tenant_url(organization, "/work-orders/new/"))
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector(".field-error")

    def suspended(page):
        plan_set(organization, "professional", status="suspended")
        page.goto(site.tenant_url(organization, "/"))
        page.wait_for_selector("[data-read-only-note]")

    signed_in = [(name.split(":")[1], _goto(site.tenant_url(organization, path.format(**ids))))
                 for name, path in TENANT_PAGES.items()]
    def deletion_pending(page):
        organization.deletion_due_at = organization.deletion_requested_at = timezone.now()
        organization.save(update_fields=["deletion_due_at", "deletion_requested_at"])
        page.goto(site.tenant_url(organization, "/settings/delete/"))
        page.wait_for_selector("[data-banner=deletion]")

    def start():
        plan_set(organization, "professional", status="trialing")
        organization.deletion_due_at = organization.deletion_requested_at = None
        organization.save(update_fields=["deletion_due_at", "deletion_requested_at"])

    visits = [*signed_out, ("signed-in", sign_in), *signed_in, ("form-errors", form_errors),
              ("suspended-dashboard", suspended), ("deletion-pending", deletion_pending)]
    # The last visits leave the workspace suspended and being deleted; each width starts from its trial again.
    _check(browser, "tenant", [(name.replace("_", "-"), visit) for name, visit in visits], start=start)


def test_the_console_has_no_serious_accessibility_finding(browser, site, organization):
    from platform_admin.models import AuditEntry
    from tests.platform_admin.conftest import public_user
    from tests.signin import console_browser_sign_in

    operator = public_user("axe-operator@unison.test", is_staff=True, is_superuser=True)
    assert operator.pk
    with schema_context("public"):
        entry = AuditEntry.objects.first()

    def sign_in(page):
        console_browser_sign_in(page, site, operator)

    pages = {"dashboard": "/admin/", "usage": "/admin/usage/", "impersonate": "/admin/impersonate/",
             "organization": f"/admin/tenants/organization/{organization.pk}/change/",
             "subscription": f"/admin/subscriptions/subscription/{organization.subscription.pk}/change/"}
    if entry is not None:
        pages["audit-entry"] = f"/admin/platform_admin/auditentry/{entry.pk}/change/"
    for model in admin.site._registry:
        label = f"{model._meta.app_label}-{model._meta.model_name}"
        pages[label] = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    visits = [("login", _goto(site.url("/admin/login/"))), ("signed-in", sign_in)]
    visits += [(name, _goto(site.url(path))) for name, path in pages.items()]
    _check(browser, "console", visits)
