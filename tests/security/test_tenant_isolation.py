"""Cross-tenant access, for every URL of a tenant host, generated from the URL conf.

Two Enterprise workspaces hold the same rows with the same ids (tests/security/factories.py): the
victim's name "Victim", the outsider's "Outsider". The outsider, signed in to their own workspace with
a session, with a JWT and with a write API key of their own, sends GET and POST (and PATCH to the API) to every URL of the victim's host,
path parameters filled with those ids: each answer is a refusal (401, 403, 404, 405, or a redirect to
sign in) or, for the few public pages in ``PUBLIC``, shows nothing of the victim's; nothing of the
victim's changes. On the outsider's own host the same URLs show the outsider's records, never the
victim's. A URL name in the conf that is in neither ``PARAMETERS`` nor ``PUBLIC`` fails the suite.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from apikeys.models import APIKey
from apikeys.services import api_key_create
from branding.models import Branding
from domains.models import CustomDomain
from exports.models import Export
from shopfloor import services
from shopfloor.models import NCR, Department, Invitation, Lane, Material, OnboardingState, Plant, Shift, WorkOrder
from sso.models import IdentityProvider
from subscriptions.models import Subscription, TrialExtensionRequest
from tenants.models import Domain, Organization
from tenants.services import login_token_issue
from tests.conftest import PASSWORD, client_for
from tests.domains.conftest import verified_domain
from tests.security.factories import workspace_fill
from tests.security.figures import record
from tests.shopfloor.conftest import plan_set

URLCONF = "unison.urls_tenant"
# Every URL name of a tenant host and how to fill its path: parameter -> the kind of record (its id) or
# the outsider's own signed link, reset token or uid.
PARAMETERS: dict[str, dict[str, str]] = {
    "accounts:logout": {},
    "accounts:token_login": {"signed": "login_link"},
    "accounts:two_factor": {}, "accounts:two_factor_setup": {}, "accounts:recovery_codes": {}, "accounts:security": {},
    "subscriptions:dismiss_trial_banner": {}, "subscriptions:trial_extension": {}, "trial_extension": {},
    "billing:page": {}, "billing:choose_plan": {}, "billing:cancel": {}, "billing:resume": {}, "billing:portal": {},
    "token": {}, "token_refresh": {}, "me": {},
    "subscription": {}, "subscription_usage": {}, "subscription_upgrade": {}, "subscription_downgrade": {},
    "subscription_cancel": {}, "subscription_resume": {}, "subscription_limits_check": {},
    "billing_checkout": {}, "billing_plan": {}, "billing_preview": {}, "billing_portal": {}, "billing_invoices": {},
    "billing:storage_overage": {}, "billing_storage_overage": {}, "billing:tax_details": {},
    "billing_tax_details": {},
    "shopfloor-plant-list": {}, "shopfloor-plant-detail": {"pk": "plant"},
    "shopfloor-material-list": {}, "shopfloor-material-detail": {"pk": "material"},
    "shopfloor-material-count": {"pk": "material"},
    "shopfloor-work-order-list": {}, "shopfloor-work-order-detail": {"pk": "work_order"},
    "shopfloor-work-order-advance": {"pk": "work_order"},
    "shopfloor-ncr-list": {}, "shopfloor-ncr-detail": {"pk": "ncr"}, "shopfloor-ncr-advance": {"pk": "ncr"},
    "shopfloor:dashboard": {}, "shopfloor:onboarding": {}, "shopfloor:sample_data_remove": {},
    "shopfloor:onboarding_step": {"step": "step"},
    "shopfloor:plant_list": {}, "shopfloor:plant_create": {}, "shopfloor:plant_detail": {"pk": "plant"},
    "shopfloor:plant_edit": {"pk": "plant"},
    "shopfloor:department_create": {"plant_pk": "plant"}, "shopfloor:department_edit": {"pk": "department"},
    "shopfloor:lane_create": {"plant_pk": "plant"}, "shopfloor:lane_edit": {"pk": "lane"},
    "shopfloor:shift_create": {"plant_pk": "plant"}, "shopfloor:shift_edit": {"pk": "shift"},
    "shopfloor:department_delete": {"pk": "department"}, "shopfloor:lane_delete": {"pk": "lane"},
    "shopfloor:shift_delete": {"pk": "shift"},
    "shopfloor:material_list": {}, "shopfloor:material_create": {}, "shopfloor:material_detail": {"pk": "material"},
    "shopfloor:material_edit": {"pk": "material"}, "shopfloor:material_adjust": {"pk": "material"},
    "shopfloor:work_order_list": {}, "shopfloor:work_order_create": {},
    "shopfloor:work_order_detail": {"pk": "work_order"}, "shopfloor:work_order_edit": {"pk": "work_order"},
    "shopfloor:work_order_advance": {"pk": "work_order"},
    "shopfloor:ncr_list": {}, "shopfloor:ncr_create": {}, "shopfloor:ncr_detail": {"pk": "ncr"},
    "shopfloor:ncr_edit": {"pk": "ncr"}, "shopfloor:ncr_advance": {"pk": "ncr"},
    "shopfloor:team": {}, "shopfloor:invitation_withdraw": {"pk": "invitation"},
    "shopfloor:invitation_accept": {"signed": "invitation_link"},
    "exports:page": {}, "export": {}, "export_download": {"pk": "export"},
    "apikeys:page": {}, "apikeys:revoke": {"pk": "api_key"},
    "api_keys": {}, "api_key_revoke": {"pk": "api_key"},
    "branding:page": {}, "branding": {}, "branding_logo": {},
    "domains:page": {}, "domains:verify": {"pk": "custom_domain"}, "domains:remove": {"pk": "custom_domain"},
    "domains": {}, "domain": {"pk": "custom_domain"}, "domain_verify": {"pk": "custom_domain"},
    "deletion:page": {}, "deletion:undo": {}, "deletion": {},
    "sso:settings": {},
}
# Pages anyone may open on a tenant host: they are checked to show nothing of the victim's, not refused.
PUBLIC: dict[str, str] = {
    "accounts:login": "the sign-in page",
    "accounts:password_reset": "asks for an e-mail address; sends mail only to this workspace's users",
    "accounts:password_reset_done": "says an e-mail may be on its way",
    "accounts:password_reset_confirm": "checks the link against this workspace's users (another's shows invalid)",
    "accounts:password_reset_complete": "says the password was changed",
    "schema": "the OpenAPI schema, the same for every workspace",
    "api_docs": "Swagger UI of that schema",
    "api_redoc": "ReDoc of that schema",
    "branding:logo": "the workspace's own logo file (its e-mails show it); another workspace's logo name is a 404 here",
    "sso:start": "sends a signed-out visitor to this workspace's own identity provider (a 404 when it has none)",
    "sso:oidc_callback": "the identity provider's redirect back: refused without this browser's own state",
    "sso:saml_acs": "the identity provider posts here: refused without a signed, unused answer to this browser's request",
    "sso:saml_metadata": "our service provider's metadata for this host (entity id and ACS), nothing of the workspace's",
}
PUBLIC_PARAMETERS = {"accounts:password_reset_confirm": {"uidb64": "uid", "token": "reset_token"},
                     "branding:logo": {"name": "logo_name"}}
# Pages on the outsider's own host that show the record of their path (its "Outsider" name must be there).
SHOWS_RECORD = {
    "shopfloor-plant-detail", "shopfloor-material-detail", "shopfloor-work-order-detail", "shopfloor-ncr-detail",
    "shopfloor:plant_detail", "shopfloor:plant_edit", "shopfloor:department_create", "shopfloor:department_edit",
    "shopfloor:lane_create", "shopfloor:lane_edit", "shopfloor:shift_create", "shopfloor:shift_edit",
    "shopfloor:material_detail", "shopfloor:material_edit", "shopfloor:material_adjust",
    "shopfloor:work_order_detail", "shopfloor:work_order_edit", "shopfloor:ncr_detail", "shopfloor:ncr_edit",
}
VICTIM_MARKS = ("Victim", "VIC-", "victim-invitee")
OUTSIDER_MARKS = ("Outsider", "OUT-")  # names, and the codes, SKUs and numbers made from them
TENANT_MODELS = (Plant, Department, Lane, Shift, Material, WorkOrder, NCR, Invitation, OnboardingState, Export, APIKey,
                 Branding, IdentityProvider)


def url_names(patterns=None, namespace: str | None = None) -> set[str]:
    """Return the name of every URL pattern of the tenant URL conf, with its namespaces."""
    names = set()
    for pattern in get_resolver(URLCONF).url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(":".join(part for part in (namespace, pattern.name) if part))
    return names


def test_every_url_of_a_tenant_host_is_tested_or_public_with_a_reason():
    names = url_names()
    untested = names - set(PARAMETERS) - set(PUBLIC)
    assert not untested, f"Add these URL names to PARAMETERS (or to PUBLIC with a reason): {sorted(untested)}"
    assert not (set(PARAMETERS) | set(PUBLIC)) - names, "Names that no URL has any more"
    assert not set(PARAMETERS) & set(PUBLIC)


def _fill(name: str, values: dict) -> str:
    parameters = {**PARAMETERS, **PUBLIC_PARAMETERS}.get(name, {})
    return reverse(name, urlconf=URLCONF, kwargs={key: values[kind] for key, kind in parameters.items()})


VICTIM_HOST = "mes.victim-works.example"  # the victim's verified custom domain: every test runs on it too


@pytest.fixture
def workspaces(organization, other_organization, owner, outsider, settings):
    """Return the victim's and the outsider's organisations with the same rows (same ids), the outsider's
    credentials, and the values that fill the URLs' paths."""
    settings.DOMAINS_TXT_RESOLVER = "tests.domains.resolver.txt_records"  # no DNS in tests (tests.domains.resolver)
    for workspace in (organization, other_organization):
        plan_set(workspace, "enterprise")
        with schema_context(workspace.schema_name):
            for step in ("organization", "done"):
                services.onboarding_step_complete(step=step)
    victim_ids, outsider_ids = workspace_fill(organization, "Victim"), workspace_fill(other_organization, "Outsider")
    victim_ids["custom_domain"] = outsider_ids["custom_domain"] = verified_domain(organization, VICTIM_HOST).pk
    assert victim_ids == outsider_ids  # the point: the outsider's ids are the victim's
    TrialExtensionRequest.objects.create(organization=organization, requested_by_id=owner.pk, days_requested=9,
                                         requested_by_email=owner.email, reason="Victim needs nine more days")
    with schema_context(other_organization.schema_name):
        invitation_link = services.invitation_link(
            organization=other_organization, invitation=Invitation.objects.get(pk=outsider_ids["invitation"]))
        reset = {"uid": urlsafe_base64_encode(force_bytes(outsider.pk)),
                 "reset_token": default_token_generator.make_token(outsider)}
    tokens = client_for(other_organization).post(
        "/api/v1/auth/token", {"email": outsider.email, "password": PASSWORD}, content_type="application/json").json()
    values = {**victim_ids, **reset, "step": "plant", "logo_name": "logo-victim.png", "invitation_link": urlsplit(invitation_link).path.split("/")[-2],
              "login_link": urlsplit(login_token_issue(organization=other_organization,
                                                       user_id=outsider.pk)).path.split("/")[-2]}
    with schema_context(other_organization.schema_name):
        _, api_key = api_key_create(organization=other_organization, name="Outsider write key", scope="write",
                                    expires_in_days=None, actor_email=outsider.email)
    return {"victim": organization, "outsider": other_organization, "user": outsider, "tokens": tokens,
            "values": values, "api_key": api_key}


def _snapshot(organization) -> list:
    from accounts.models import User

    with schema_context(organization.schema_name):
        rows = [list(model.objects.order_by("pk").values()) for model in (*TENANT_MODELS, User)]
    return [*rows, list(Subscription.objects.filter(organization=organization).values()),
            list(TrialExtensionRequest.objects.filter(organization=organization).values()),
            list(CustomDomain.objects.filter(organization=organization).values()),
            list(Domain.objects.filter(tenant=organization).order_by("pk").values()),
            list(Organization.objects.filter(pk=organization.pk).values("deletion_due_at", "deleted_at"))]


def _body(name: str, tokens: dict, user) -> dict:
    """Return a body a real caller of the URL would send: the outsider's own credentials for the token URLs."""
    return {"token": {"email": user.email, "password": PASSWORD}, "token_refresh": {"refresh": tokens["refresh"]}}.get(
        name, {"name": "Hacked", "description": "Hacked", "status": "closed", "quantity_on_hand": "0"})


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _shows_victim(response) -> bool:
    body = response.content.decode(errors="replace")
    return any(mark in body for mark in VICTIM_MARKS)


def _calls(client, name: str, url: str, body: dict, **headers):
    """Yield (method, response) for GET, POST and, on the API, PATCH of ``url``."""
    api = url.startswith("/api/")
    yield "GET", client.get(url, **headers)
    if api:
        yield "POST", client.post(url, body, content_type="application/json", **headers)
        yield "PATCH", client.patch(url, body, content_type="application/json", **headers)
    else:
        yield "POST", client.post(url, body, **headers)


@pytest.mark.parametrize("host", ["subdomain", "custom_domain"])
@pytest.mark.parametrize("credential", ["session", "jwt", "api_key"])
def test_the_outsider_can_neither_read_nor_change_the_victims_records_on_the_victims_host(workspaces, credential,
                                                                                          host):
    victim, outsider, user, tokens = (workspaces[key] for key in ("victim", "outsider", "user", "tokens"))
    victim_host = victim.host if host == "subdomain" else VICTIM_HOST
    before = _snapshot(victim)
    if credential == "session":
        client, headers = client_for(outsider, user), {}
        client.defaults["HTTP_HOST"] = victim_host  # the outsider's session cookie, sent to the victim's host
    elif credential == "jwt":
        client, headers = Client(HTTP_HOST=victim_host), {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    else:  # the outsider's write key: the victim's schema has no such key
        client, headers = Client(HTTP_HOST=victim_host), {"HTTP_AUTHORIZATION": f"Api-Key {workspaces['api_key']}"}
    assert client.get("/accounts/login/").status_code == 200  # the victim's workspace answers on this host
    problems, attempts, failures, leaks = [], 0, 0, 0
    for name in sorted(PARAMETERS):
        url = _fill(name, workspaces["values"])
        for method, response in _calls(client, name, url, _body(name, tokens, user), **headers):
            attempts += 1
            failures += int(response.status_code >= 500)
            leaks += int(_shows_victim(response) or (not _refused(response) and response.status_code < 400))
            if not _refused(response) or _shows_victim(response):
                problems.append(f"{method} {url} ({name}): {response.status_code} {response.content[:120]!r}")
            elif credential == "jwt" and url.startswith("/api/v1/") and name not in ("token", "token_refresh"):
                refusal = (response.status_code, response.json().get("detail"), response.get("WWW-Authenticate", ""))
                if refusal[:2] != (401, "This token belongs to another workspace.") or not refusal[2].startswith("Bearer"):
                    problems.append(f"{method} {url} ({name}): {refusal}")
            elif credential == "api_key" and url.startswith("/api/v1/") and name not in ("token", "token_refresh"):
                if (response.status_code, response.json().get("code")) != (401, "api_key_unknown"):
                    problems.append(f"{method} {url} ({name}): {response.status_code} {response.content[:120]!r}")
    for name in sorted(PUBLIC):
        url = _fill(name, workspaces["values"])
        for method, response in _calls(client, name, url, {}, **headers):
            attempts += 1
            failures += int(response.status_code >= 500)
            leaks += int(_shows_victim(response))
            if response.status_code >= 500 or _shows_victim(response):
                problems.append(f"{method} {url} ({name}, public): {response.status_code}")
    changed = _snapshot(victim) != before
    on = "" if host == "subdomain" else ", custom domain"
    record(f"cross-tenant requests ({credential}{on})", attempts=attempts, failures=failures, leaks=leaks + int(changed))
    assert problems == []
    assert not changed


def test_on_their_own_host_the_same_ids_show_the_outsiders_records(workspaces):
    outsider, user, tokens = workspaces["outsider"], workspaces["user"], workspaces["tokens"]
    session = client_for(outsider, user)
    jwt = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access']}"}
    problems, shown = [], 0
    for name in sorted(set(PARAMETERS) | set(PUBLIC)):
        url = _fill(name, workspaces["values"])
        response = session.get(url, **(jwt if url.startswith("/api/") else {}))
        if _shows_victim(response):
            problems.append(f"GET {url} ({name}) shows the victim's data")
        if name in SHOWS_RECORD:
            shown += 1
            if response.status_code != 200 or not any(mark in response.content.decode() for mark in OUTSIDER_MARKS):
                problems.append(f"GET {url} ({name}): {response.status_code}, not the outsider's record")
    assert problems == []
    assert shown == len(SHOWS_RECORD)
