"""Sign-in and sign-out on a tenant host; users and sessions never cross workspaces."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD, tenant_user


def sign_in(organization, email: str, password: str = PASSWORD) -> tuple[Client, object]:
    client = Client(HTTP_HOST=organization.host)
    response = client.post("/accounts/login/", {"username": email, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return client.get("/api/v1/auth/me").status_code == 200


def test_the_owner_signs_in_with_the_form_and_sees_the_tenant_shell(organization, owner):
    client, response = sign_in(organization, owner.email)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in(client)

    page = client.get("/", follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert organization.name in html
    assert owner.full_name in html
    assert "Sign out" in html
    assert 'href="/"' in html, "the navigation links to the dashboard"


def test_the_sign_in_page_names_the_organization(organization):
    page = Client(HTTP_HOST=organization.host).get("/accounts/login/")
    assert page.status_code == 200
    assert f"Sign in to {organization.name}" in page.content.decode()


def test_the_e_mail_is_matched_without_regard_to_case(organization, owner):
    _, response = sign_in(organization, owner.email.upper())
    assert response.status_code == 302


def test_a_wrong_password_shows_an_error_on_the_form(organization, owner):
    client, response = sign_in(organization, owner.email, "not-the-password")
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert not signed_in(client)


def test_a_signed_out_visitor_is_sent_to_sign_in(organization):
    response = Client(HTTP_HOST=organization.host).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_of_one_organization_cannot_sign_in_at_another(organization, owner, other_organization):
    client, response = sign_in(other_organization, owner.email)
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert not signed_in(client)


def test_a_session_cookie_from_one_organization_is_worthless_at_another(organization, owner, other_organization):
    tenant_user(other_organization, role="owner")  # B has a user with the same id as A's owner
    client_a, response = sign_in(organization, owner.email)
    assert response.status_code == 302
    cookie = client_a.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["domain"] == "", "session cookies stay on the host that set them"

    client_b = Client(HTTP_HOST=other_organization.host)
    client_b.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    assert not signed_in(client_b)
    assert client_b.get("/")["Location"].startswith("/accounts/login/")
    assert client_a.get("/api/v1/auth/me").json()["email"] == owner.email, "the cookie works where it was issued"


def test_signing_out_ends_the_session_and_needs_a_post(organization, owner):
    client, _ = sign_in(organization, owner.email)
    assert signed_in(client)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not signed_in(client)


def test_a_deactivated_user_cannot_sign_in(organization):
    from django_tenants.utils import schema_context

    user = tenant_user(organization, role="member")
    with schema_context(organization.schema_name):
        user.is_active = False
        user.save(update_fields=["is_active"])
    _, response = sign_in(organization, user.email)
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
