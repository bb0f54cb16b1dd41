"""A new password, a reset, a role change or a removal ends every session and token issued before it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import user_credentials_revoke
from tests.conftest import PASSWORD, tenant_user

NEW_PASSWORD = "a-brand-new-password-42"


def tokens(organization, email: str, password: str = PASSWORD) -> dict:
    response = Client(HTTP_HOST=organization.host).post(
        "/api/v1/auth/token", {"email": email, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200
    return response.json()


def refresh(organization, refresh_token: str):
    return Client(HTTP_HOST=organization.host).post(
        "/api/v1/auth/token/refresh", {"refresh": refresh_token}, content_type="application/json"
    )


def me(organization, access: str) -> int:
    return Client(HTTP_HOST=organization.host).get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}").status_code


def signed_in_session(organization, email: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_HOST=organization.host)
    assert client.post("/accounts/login/", {"username": email, "password": password}).status_code == 302
    assert session_works(client)
    return client


def session_works(client: Client) -> bool:
    return client.get("/api/v1/auth/me").status_code == 200


def reset_password(organization, email: str) -> None:
    """Reset the password through the e-mailed link, as a user would."""
    client = Client(HTTP_HOST=organization.host)
    client.post("/accounts/password-reset/", {"email": email})
    (message,) = mail.outbox
    path = urlsplit(re.search(r"https?://\S+", message.body).group(0)).path
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302


def change_password(organization, user: User) -> None:
    """Change the password the way Django's password-change form, the admin and changepassword do."""
    with schema_context(organization.schema_name):
        user.set_password(NEW_PASSWORD)
        user.save()


def change_role(organization, user: User) -> None:
    with schema_context(organization.schema_name):
        user.role = "admin"
        user.save(update_fields=["role"])
        user_credentials_revoke(user=user)


def remove(organization, user: User) -> None:
    with schema_context(organization.schema_name):
        user.is_active = False
        user.save(update_fields=["is_active"])
        user_credentials_revoke(user=user)
        user.is_active = True  # even brought back, the old tokens and sessions stay dead
        user.save(update_fields=["is_active"])


CHANGES = {
    "password change": (change_password, NEW_PASSWORD),
    "password reset": (lambda organization, user: reset_password(organization, user.email), NEW_PASSWORD),
    "role change": (change_role, PASSWORD),
    "removal": (remove, PASSWORD),
}


@pytest.mark.parametrize("change", CHANGES)
def test_tokens_and_sessions_from_before_the_change_are_refused_and_new_ones_work(organization, change):
    user = tenant_user(organization, role="member")
    before = tokens(organization, user.email)
    session = signed_in_session(organization, user.email)
    assert refresh(organization, before["refresh"]).status_code == 200

    make_change, password = CHANGES[change]
    make_change(organization, user)

    refused = refresh(organization, before["refresh"])
    assert refused.status_code == 401
    assert "password or access changed" in refused.json()["detail"]
    assert me(organization, before["access"]) == 401
    assert not session_works(session), "the session is signed out"

    after = tokens(organization, user.email, password)
    renewed = refresh(organization, after["refresh"])
    assert renewed.status_code == 200
    assert me(organization, renewed.json()["access"]) == 200
    assert session_works(signed_in_session(organization, user.email, password))


def test_revoking_one_users_credentials_leaves_a_teammates_alone(organization, owner):
    teammate = tenant_user(organization, role="member")
    owners = tokens(organization, owner.email)
    session = signed_in_session(organization, owner.email)
    change_role(organization, teammate)
    assert refresh(organization, owners["refresh"]).status_code == 200
    assert me(organization, owners["access"]) == 200
    assert session_works(session)


def test_a_refresh_token_of_a_deleted_user_is_refused_with_a_401(organization):
    user = tenant_user(organization, role="member")
    issued = tokens(organization, user.email)
    with schema_context(organization.schema_name):
        user.delete()
    assert refresh(organization, issued["refresh"]).status_code == 401


def test_a_token_without_the_credentials_claim_is_refused(organization, owner):
    from rest_framework_simplejwt.tokens import RefreshToken

    with schema_context(organization.schema_name):
        legacy = RefreshToken.for_user(owner)  # as tokens were issued before the claim existed
    legacy["schema"] = organization.schema_name
    assert refresh(organization, str(legacy)).status_code == 401
    assert me(organization, str(legacy.access_token)) == 401
