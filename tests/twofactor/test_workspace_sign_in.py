"""Two-factor sign-in on a workspace host: the password alone signs nobody in; wrong, reused and used
codes are refused with a message, audited and counted towards the same lockout as passwords."""

from __future__ import annotations

import re

import pyotp
import pytest
from django.test import Client
from django_tenants.utils import schema_context

from platform_admin.models import AuditEntry
from tests.conftest import PASSWORD, client_for
from tests.signin import enrolled, next_code


@pytest.fixture
def secured(organization, teammate):
    """The teammate, with an authenticator; yields (user, its secret)."""
    with schema_context(organization.schema_name):
        return teammate, enrolled(teammate)


def password_step(organization, email: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client(HTTP_HOST=organization.host)
    return client, client.post("/accounts/login/?next=/plants/", {"username": email, "password": password})


def signed_in(client: Client) -> bool:
    return client.get("/api/v1/auth/me").status_code == 200


def code_for(organization, user) -> str:
    with schema_context(organization.schema_name):
        return next_code(user)


def wrong_code(organization, user) -> str:
    right = code_for(organization, user)
    return "000000" if right != "000000" else "111111"


def test_the_password_leads_to_the_code_and_signs_nobody_in(organization, secured):
    user, _ = secured
    client, response = password_step(organization, user.email)
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert not signed_in(client)
    assert client.get("/").status_code == 302
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and user.email in page.content.decode()
    response = client.post("/accounts/two-factor/", {"code": code_for(organization, user)})
    assert response.status_code == 302 and response["Location"] == "/plants/"
    assert signed_in(client)


def test_a_wrong_code_gets_a_message_by_the_field_and_an_audit_entry(organization, secured):
    user, _ = secured
    client, _ = password_step(organization, user.email)
    response = client.post("/accounts/two-factor/", {"code": wrong_code(organization, user)})
    assert response.status_code == 400
    assert "That code is wrong or has expired" in response.content.decode()
    assert 'id="id_code_error"' in response.content.decode() or "field-error" in response.content.decode()
    assert not signed_in(client)
    entry = AuditEntry.objects.get(action="two_factor_failed")
    assert entry.organization_id == organization.pk and entry.actor_email == user.email
    assert entry.details["reason"] == "wrong_code" and entry.actor_id is None


def test_a_reused_code_is_refused_and_audited(organization, secured):
    user, _ = secured
    first, _ = password_step(organization, user.email)
    code = code_for(organization, user)
    assert first.post("/accounts/two-factor/", {"code": code}).status_code == 302
    second, _ = password_step(organization, user.email)
    response = second.post("/accounts/two-factor/", {"code": code})
    assert response.status_code == 400 and "already been used" in response.content.decode()
    assert not signed_in(second)
    assert AuditEntry.objects.get(action="two_factor_failed").details["reason"] == "reused_code"


def test_a_recovery_code_signs_in_once(organization, teammate):
    with schema_context(organization.schema_name):
        from accounts.two_factor import totp_device_begin, totp_device_confirm

        device = totp_device_begin(user=teammate)
        codes = totp_device_confirm(user=teammate, code=pyotp.TOTP(device.secret).now())
    client, _ = password_step(organization, teammate.email)
    response = client.post("/accounts/two-factor/", {"code": codes[3]}, follow=True)
    assert "You signed in with a recovery code; 9 left" in response.content.decode()
    again, _ = password_step(organization, teammate.email)
    response = again.post("/accounts/two-factor/", {"code": codes[3]})
    assert response.status_code == 400 and "already been used; each works once" in response.content.decode()
    assert AuditEntry.objects.get(action="two_factor_failed").details["reason"] == "used_recovery_code"


def test_wrong_codes_lock_the_account_like_wrong_passwords(organization, secured, settings):
    user, _ = secured
    client, _ = password_step(organization, user.email)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/accounts/two-factor/", {"code": wrong_code(organization, user)}).status_code == 400
    last = client.post("/accounts/two-factor/", {"code": wrong_code(organization, user)})
    assert last.status_code == 429 and "Too many failed sign-ins" in last.content.decode()
    # Now the right code is refused as well, and so is the password.
    assert client.post("/accounts/two-factor/", {"code": code_for(organization, user)}).status_code == 429
    assert not signed_in(client)
    _, response = password_step(organization, user.email)
    assert response.status_code != 302
    assert AuditEntry.objects.filter(action="two_factor_failed").count() == settings.AXES_FAILURE_LIMIT + 1


def test_the_code_step_times_out_and_asks_for_the_password_again(organization, secured, time_machine):
    user, _ = secured
    time_machine.move_to("2026-12-01 10:00Z", tick=False)
    client, _ = password_step(organization, user.email)
    time_machine.move_to("2026-12-01 10:06Z", tick=False)
    response = client.post("/accounts/two-factor/", {"code": code_for(organization, user)})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not signed_in(client)


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(organization):
    response = Client(HTTP_HOST=organization.host).post("/accounts/two-factor/", {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_a_session_made_without_the_code_is_signed_out(organization, secured):
    user, _ = secured
    client = client_for(organization, user)  # force_login: no code was given
    response = client.get("/plants/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not signed_in(client)


def test_an_open_redirect_is_not_followed_after_the_code(organization, secured):
    user, _ = secured
    client = Client(HTTP_HOST=organization.host)
    client.post("/accounts/login/?next=https://evil.example.com/", {"username": user.email, "password": PASSWORD})
    response = client.post("/accounts/two-factor/", {"code": code_for(organization, user)})
    assert response.status_code == 302 and not re.match(r"https?://evil", response["Location"])
