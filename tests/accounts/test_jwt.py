"""JWTs are issued per workspace and refused by every other workspace."""

from __future__ import annotations

from django.test import Client

from tests.conftest import PASSWORD


def obtain(organization, email: str, password: str = PASSWORD):
    return Client(HTTP_HOST=organization.host).post(
        "/api/v1/auth/token", {"email": email, "password": password}, content_type="application/json"
    )


def me(organization, access: str):
    return Client(HTTP_HOST=organization.host).get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_a_user_gets_tokens_and_reads_who_they_are(organization, owner):
    response = obtain(organization, owner.email)
    assert response.status_code == 200
    body = me(organization, response.json()["access"])
    assert body.status_code == 200
    assert body.json() == {"email": owner.email, "full_name": "Olive Owner", "role": "owner"}


def test_a_user_of_one_workspace_gets_no_token_at_another(organization, owner, other_organization):
    response = obtain(other_organization, owner.email)
    assert response.status_code == 401
    assert "access" not in response.json()


def test_a_token_from_one_workspace_is_refused_at_another(organization, owner, other_organization, outsider):
    access = obtain(organization, owner.email).json()["access"]
    assert outsider.pk == owner.pk, "same user id in both schemas: only the schema claim tells them apart"
    response = me(other_organization, access)
    assert response.status_code == 401
    assert "another workspace" in response.json()["detail"]


def test_a_refresh_token_from_one_workspace_is_refused_at_another(organization, owner, other_organization):
    refresh = obtain(organization, owner.email).json()["refresh"]
    client = Client(HTTP_HOST=other_organization.host)
    response = client.post("/api/v1/auth/token/refresh", {"refresh": refresh}, content_type="application/json")
    assert response.status_code == 401
    home = Client(HTTP_HOST=organization.host)
    assert (
        home.post("/api/v1/auth/token/refresh", {"refresh": refresh}, content_type="application/json").status_code
        == 200
    )


def test_a_missing_password_is_a_400_naming_the_field(organization, owner):
    response = Client(HTTP_HOST=organization.host).post(
        "/api/v1/auth/token", {"email": owner.email}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "password" in response.json()


def test_who_am_i_needs_authentication(organization):
    response = Client(HTTP_HOST=organization.host).get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
