"""OpenID Connect sign-in against a real provider process: the flow, role mapping, SSO required, and refusals."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from platform_admin.models import AuditEntry
from sso.models import IdentityProvider
from tests.conftest import PASSWORD, client_for, tenant_user
from tests.shopfloor.conftest import plan_set
from tests.sso.oidc_provider import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def configure(client, provider_url: str, **overrides):
    data = {
        "protocol": "oidc",
        "enabled": "on",
        "issuer": provider_url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "role_claim": "groups",
        "role_mapping": "plant-admins = admin",
        **overrides,
    }
    return client.post("/settings/sso/", {k: v for k, v in data.items() if v is not None})


@pytest.fixture
def oidc_workspace(enterprise, owner, oidc_provider):
    response = configure(client_for(enterprise, owner), oidc_provider.url)
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.set_schema_to_public()  # the request left the connection in the workspace's schema
    return enterprise


def sign_in(client, provider, **who):
    """Click "Sign in with SSO", let the provider approve, follow it back; return our callback's response."""
    provider.act(**who)
    start = client.get("/sso/start/?next=/plants/")
    assert start.status_code == 302 and start.url.startswith(provider.url + "/authorize"), start
    back = requests.get(start.url, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    url = urlparse(back.headers["Location"])
    return client.get(url.path, parse_qs(url.query))


def _audit(organization, action):
    return list(AuditEntry.objects.filter(organization_id=organization.pk, action=action).order_by("id"))


def test_a_new_person_signs_in_through_the_provider_and_joins_with_the_mapped_role(oidc_workspace, oidc_provider):
    client = client_for(oidc_workspace)
    response = sign_in(
        client, oidc_provider, email="Lee@IdP.example.com", name="Lee Admin", groups=["staff", "plant-admins"]
    )
    assert response.status_code == 302 and response.url == "/plants/"
    with schema_context(oidc_workspace.schema_name):
        user = User.objects.get(email="lee@idp.example.com")
        assert (user.role, user.full_name, user.has_usable_password()) == ("admin", "Lee Admin", False)
    assert client.get("/plants/").status_code == 200
    [entry] = _audit(oidc_workspace, "sso_sign_in")
    assert entry.actor_email == "lee@idp.example.com" and entry.details["protocol"] == "oidc"


def test_the_claim_keeps_an_existing_users_role_and_never_touches_the_owner(oidc_workspace, oidc_provider, owner):
    teammate = tenant_user(oidc_workspace, email="sam@idp.example.com", role="admin")
    assert sign_in(client_for(oidc_workspace), oidc_provider, email=teammate.email, groups=["staff"]).status_code == 302
    assert sign_in(client_for(oidc_workspace), oidc_provider, email=owner.email, groups=["staff"]).status_code == 302
    with schema_context(oidc_workspace.schema_name):
        assert User.objects.get(email="sam@idp.example.com").role == "member"
        assert User.objects.get(pk=owner.pk).role == "owner"


def test_the_sign_in_page_offers_sso_and_required_sso_refuses_passwords_but_the_owners(
    oidc_workspace, oidc_provider, owner
):
    member = tenant_user(oidc_workspace, role="member")
    page = client_for(oidc_workspace).get("/accounts/login/")
    assert "Sign in with SSO" in page.content.decode()
    assert (
        configure(client_for(oidc_workspace, owner), oidc_provider.url, client_secret="", require_sso="on").status_code
        == 302
    )
    refused = client_for(oidc_workspace).post("/accounts/login/", {"username": member.email, "password": PASSWORD})
    assert refused.status_code == 200 and "signs in through single sign-on" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    allowed = client_for(oidc_workspace).post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert allowed.status_code == 302
    api = client_for(oidc_workspace).post(
        "/api/v1/auth/token", {"email": member.email, "password": PASSWORD}, content_type="application/json"
    )
    assert (api.status_code, api.json()["code"]) == (403, "sso_required"), api.content
    api = client_for(oidc_workspace).post(
        "/api/v1/auth/token", {"email": owner.email, "password": PASSWORD}, content_type="application/json"
    )
    assert api.status_code == 200 and "access" in api.json()


def test_the_client_secret_is_stored_sealed_and_never_shown_back(oidc_workspace, owner):
    with schema_context(oidc_workspace.schema_name):
        row = IdentityProvider.objects.get()
    assert row.client_secret_sealed and CLIENT_SECRET not in row.client_secret_sealed
    page = client_for(oidc_workspace, owner).get("/settings/sso/").content.decode()
    assert CLIENT_SECRET not in page and "Saved (not shown)" in page


@pytest.mark.parametrize(
    ("mode", "reason", "words"),
    [
        ("wrong_key", "bad_signature", "signature does not match"),
        ("wrong_audience", "wrong_audience", "another application"),
        ("expired", "expired", "has expired"),
        ("bad_nonce", "nonce_mismatch", "nonce"),
    ],
)
def test_a_bad_id_token_is_refused_with_a_page_naming_it_and_an_audit_entry(
    oidc_workspace, oidc_provider, mode, reason, words
):
    response = sign_in(client_for(oidc_workspace), oidc_provider, mode=mode)
    assert response.status_code == 403
    assert words in response.content.decode()
    [entry] = _audit(oidc_workspace, "sso_sign_in_failed")
    assert entry.details["reason"] == reason
    with schema_context(oidc_workspace.schema_name):
        assert not User.objects.filter(email="pat@idp.example.com").exists()


def test_a_state_that_is_not_this_browsers_is_refused(oidc_workspace, oidc_provider):
    client = client_for(oidc_workspace)
    oidc_provider.act()
    start = client.get("/sso/start/")
    query = parse_qs(urlparse(requests.get(start.url, allow_redirects=False, timeout=5).headers["Location"]).query)
    response = client.get("/sso/oidc/callback/", {"code": query["code"][0], "state": "forged"})
    assert response.status_code == 403 and "state mismatch" in response.content.decode()
    again = client.get("/sso/oidc/callback/", {"code": query["code"][0], "state": query["state"][0]})
    assert again.status_code == 403 and "already used" in again.content.decode()  # the flow is used up
    assert [e.details["reason"] for e in _audit(oidc_workspace, "sso_sign_in_failed")] == [
        "state_mismatch",
        "state_missing",
    ]


def test_an_unreachable_issuer_gets_a_page_naming_it_not_a_500(enterprise, owner):
    client = client_for(enterprise, owner)
    assert configure(client, "http://127.0.0.1:9").status_code == 302  # nothing listens on port 9
    tested = client.post("/settings/sso/", {"test": "1"})
    assert tested.status_code == 200 and "Connection failed: Could not reach" in tested.content.decode()
    response = client_for(enterprise).get("/sso/start/")
    assert response.status_code == 502 and "Could not reach the identity provider" in response.content.decode()


def test_test_connection_reads_discovery_and_keys(oidc_workspace, owner):
    response = client_for(oidc_workspace, owner).post("/settings/sso/", {"test": "1"})
    assert "Connection works. Reached" in response.content.decode() and "holds 1 key." in response.content.decode()


def test_bad_settings_are_refused_next_to_the_field(enterprise, owner, oidc_provider):
    client = client_for(enterprise, owner)
    response = configure(client, oidc_provider.url, role_mapping="plant-admins = owner")
    assert response.status_code == 400 and "not a role SSO can give" in response.content.decode()
    response = configure(client, "", client_id="")
    assert response.status_code == 400 and "Give the issuer URL" in response.content.decode()
    with schema_context(enterprise.schema_name):
        assert not IdentityProvider.objects.exists()


def test_a_workspace_without_enterprise_cannot_configure_or_use_sso(oidc_workspace, owner, oidc_provider):
    plan_set(oidc_workspace, "professional")
    page = client_for(oidc_workspace, owner).get("/settings/sso/")
    assert "comes with the Enterprise plan" in page.content.decode()
    assert configure(client_for(oidc_workspace, owner), oidc_provider.url, client_id="changed").status_code == 200
    with schema_context(oidc_workspace.schema_name):
        assert IdentityProvider.objects.get().client_id == CLIENT_ID
    assert client_for(oidc_workspace).get("/sso/start/").status_code == 404
    assert "Sign in with SSO" not in client_for(oidc_workspace).get("/accounts/login/").content.decode()


def test_only_the_owner_opens_the_settings(oidc_workspace):
    admin = tenant_user(oidc_workspace, role="admin")
    assert client_for(oidc_workspace, admin).get("/settings/sso/").status_code == 403


def test_another_workspace_neither_reads_the_settings_nor_signs_in_with_them(
    oidc_workspace, oidc_provider, other_organization, outsider
):
    plan_set(other_organization, "enterprise")
    page = client_for(other_organization, outsider).get("/settings/sso/").content.decode()
    assert oidc_provider.url not in page and CLIENT_ID not in page
    # A flow started on A's host, answered on B's: B has no such flow (and no provider at all).
    client_a = client_for(oidc_workspace)
    oidc_provider.act()
    start = client_a.get("/sso/start/")
    back = urlparse(requests.get(start.url, allow_redirects=False, timeout=5).headers["Location"])
    response = client_for(other_organization).get(back.path, parse_qs(back.query))
    assert response.status_code == 404
    with schema_context(other_organization.schema_name):
        assert not User.objects.filter(email="pat@idp.example.com").exists()
