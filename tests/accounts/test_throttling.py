"""Failed sign-ins are throttled (django-axes), per workspace."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD, tenant_user


def attempt(organization, email: str, password: str):
    return Client(HTTP_HOST=organization.host).post("/accounts/login/", {"username": email, "password": password})


def fail_until_locked(organization, email: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(organization, email, "wrong-password").status_code == 200
    assert attempt(organization, email, "wrong-password").status_code == 429


def test_after_the_failure_limit_even_the_right_password_is_refused(organization, owner):
    fail_until_locked(organization, owner.email)
    response = attempt(organization, owner.email, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content


def test_failures_below_the_limit_do_not_lock_the_user_out(organization, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(organization, owner.email, "wrong-password")
    assert attempt(organization, owner.email, PASSWORD).status_code == 302


def test_changing_the_case_of_the_e_mail_does_not_earn_more_attempts(organization, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(organization, owner.email, "wrong-password").status_code == 200
    assert attempt(organization, owner.email.upper(), "wrong-password").status_code == 429
    assert attempt(organization, owner.email.title(), PASSWORD).status_code == 429


def test_a_lockout_in_one_workspace_does_not_lock_the_same_address_in_another(organization, owner, other_organization):
    tenant_user(other_organization, email=owner.email, role="member")
    fail_until_locked(organization, owner.email)
    assert attempt(other_organization, owner.email, PASSWORD).status_code == 302


def test_the_token_api_is_throttled_too(organization, owner):
    client = Client(HTTP_HOST=organization.host)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token", {"email": owner.email, "password": "wrong-password"})
    response = client.post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD})
    assert response.status_code in (401, 403, 429)
    assert "access" not in response.json()
