"""Setting two-factor up from the security page, the owner's rule that everyone needs it, and the
token API: an account with two-factor gets no token for its password alone."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import TOTPDevice
from tests.conftest import PASSWORD, client_for
from tests.signin import enrolled
from tests.twofactor.test_workspace_sign_in import code_for, password_step, signed_in


def secret_on(page) -> str:
    """Return the key the set-up page shows for typing by hand (what an app reads from the QR code)."""
    found = re.search(r'<code class="secret-key">([A-Z2-7 ]+)</code>', page.content.decode())
    assert found, page.content.decode()[:2000]
    return found.group(1).replace(" ", "")


def set_up_through_the_pages(client: Client) -> list[str]:
    page = client.get("/accounts/two-factor/set-up/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = secret_on(page)
    wrong = client.post("/accounts/two-factor/set-up/", {"code": "12345x"})
    assert wrong.status_code == 400 and "That code is wrong" in wrong.content.decode()
    done = client.post("/accounts/two-factor/set-up/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done["Location"] == "/accounts/two-factor/recovery-codes/"
    shown = client.get(done["Location"])
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", shown.content.decode())
    assert len(codes) == 10
    again = client.get(done["Location"])
    assert "shown once and can't be shown again" in again.content.decode() and codes[0] not in again.content.decode()
    return codes


def test_a_member_turns_it_on_from_the_security_page(organization, teammate):
    client = client_for(organization, teammate)
    page = client.get("/accounts/security/")
    assert page.status_code == 200 and "Set up two-factor sign-in" in page.content.decode()
    set_up_through_the_pages(client)
    assert signed_in(client), "the session that set it up stays signed in"
    assert "10 recovery codes left" in client.get("/accounts/security/").content.decode()
    _, response = password_step(organization, teammate.email)
    assert response["Location"] == "/accounts/two-factor/"


def test_turning_it_on_signs_out_the_other_sessions(organization, teammate):
    other = client_for(organization, teammate)
    assert signed_in(other)
    set_up_through_the_pages(client_for(organization, teammate))
    assert not signed_in(other)


def test_turning_it_off_needs_a_right_code(organization, teammate):
    client = client_for(organization, teammate)
    set_up_through_the_pages(client)
    wrong = client.post("/accounts/security/", {"action": "disable", "code": "000000"})
    assert wrong.status_code == 400 and "That code is wrong" in wrong.content.decode()
    with schema_context(organization.schema_name):
        assert TOTPDevice.objects.filter(user=teammate).exists()
    right = client.post("/accounts/security/", {"action": "disable", "code": code_for(organization, teammate)})
    assert right.status_code == 302
    with schema_context(organization.schema_name):
        assert not TOTPDevice.objects.filter(user=teammate).exists()
    assert signed_in(client)


def test_the_owner_requires_it_and_a_member_without_it_enrols_after_the_password(organization, owner, teammate):
    owner_client = client_for(organization, owner)
    refused = owner_client.post("/accounts/security/", {"action": "require"}, follow=True)
    assert "Turn on two-factor sign-in for yourself first" in refused.content.decode()
    set_up_through_the_pages(owner_client)
    assert owner_client.post("/accounts/security/", {"action": "require"}).status_code == 302
    organization.refresh_from_db()
    assert organization.require_two_factor

    member, response = password_step(organization, teammate.email)
    assert response["Location"] == "/accounts/two-factor/set-up/"
    assert not signed_in(member)
    set_up_through_the_pages(member)
    assert signed_in(member)
    # Required: a member can't turn it off.
    response = member.post("/accounts/security/", {"action": "disable", "code": code_for(organization, teammate)})
    assert response.status_code == 409 and "requires two-factor sign-in" in response.content.decode()


def test_a_session_from_before_the_rule_is_sent_to_set_it_up(organization, teammate):
    member = client_for(organization, teammate)
    assert member.get("/plants/").status_code == 200
    from tenants.services import organization_two_factor_set

    organization_two_factor_set(organization=organization, required=True)
    response = member.get("/plants/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/set-up/"
    api = member.get("/api/v1/auth/me")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_enrolment_required"


def test_only_the_owner_may_require_it(organization, teammate):
    client = client_for(organization, teammate)
    assert "For everyone in" not in client.get("/accounts/security/").content.decode()
    client.post("/accounts/security/", {"action": "require"})
    organization.refresh_from_db()
    assert not organization.require_two_factor


def token(organization, email: str, **extra):
    return Client(HTTP_HOST=organization.host).post(
        "/api/v1/auth/token", {"email": email, "password": PASSWORD, **extra}, content_type="application/json")


@pytest.fixture
def secured(organization, teammate):
    with schema_context(organization.schema_name):
        enrolled(teammate)
    return teammate


def test_the_token_api_wants_the_code_of_an_account_with_two_factor(organization, secured):
    missing = token(organization, secured.email)
    assert missing.status_code == 401 and missing.json()["code"] == "two_factor_required"
    assert "two_factor_code" in missing.json()
    wrong = token(organization, secured.email,
                  two_factor_code="000000" if code_for(organization, secured) != "000000" else "1")
    assert wrong.status_code == 400 and wrong.json()["code"] == "two_factor_invalid" and "two_factor_code" in wrong.json()
    right = token(organization, secured.email, two_factor_code=code_for(organization, secured))
    assert right.status_code == 200 and "access" in right.json()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {right.json()['access']}"}
    assert Client(HTTP_HOST=organization.host).get("/api/v1/auth/me", **bearer).status_code == 200


def test_a_code_used_for_a_token_cannot_be_used_again(organization, secured):
    code = code_for(organization, secured)
    assert token(organization, secured.email, two_factor_code=code).status_code == 200
    again = token(organization, secured.email, two_factor_code=code)
    assert again.status_code == 400 and "already been used" in again.json()["detail"]


def test_wrong_codes_on_the_token_api_lock_the_account(organization, secured, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token(organization, secured.email,
              two_factor_code="999999" if code_for(organization, secured) != "999999" else "1")
    locked = token(organization, secured.email, two_factor_code=code_for(organization, secured))
    assert locked.status_code == 429 and locked.json()["code"] == "locked_out"


def test_in_a_workspace_that_requires_it_a_password_alone_gets_no_token(organization, teammate):
    from tenants.services import organization_two_factor_set

    organization_two_factor_set(organization=organization, required=True)
    response = token(organization, teammate.email)
    assert response.status_code == 403 and response.json()["code"] == "two_factor_enrolment_required"


def test_accounts_without_two_factor_sign_in_as_before(organization, teammate):
    assert token(organization, teammate.email).status_code == 200
    _, response = password_step(organization, teammate.email)
    assert response.status_code == 302 and response["Location"] == "/plants/"
