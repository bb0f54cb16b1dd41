"""Password reset by e-mail, on the tenant host, for that tenant's users only."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD, tenant_user

NEW_PASSWORD = "a-brand-new-password-42"


def ask_for_reset(organization, email: str) -> Client:
    client = Client(HTTP_HOST=organization.host)
    response = client.post("/accounts/password-reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    return client


def reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://\S+", message.body).group(0)


def can_sign_in(organization, email: str, password: str) -> bool:
    response = Client(HTTP_HOST=organization.host).post("/accounts/login/", {"username": email, "password": password})
    return response.status_code == 302


def test_the_reset_e_mail_arrives_and_its_link_sets_a_new_password(organization, owner):
    ask_for_reset(organization, owner.email)
    assert mail.outbox[0].to == [owner.email]
    link = reset_link()
    assert urlsplit(link).netloc.split(":")[0] == organization.host

    client = Client(HTTP_HOST=organization.host)
    form_page = client.get(urlsplit(link).path, follow=True)
    assert form_page.status_code == 200
    assert b"Choose a new password" in form_page.content
    form_url = form_page.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"

    assert can_sign_in(organization, owner.email, NEW_PASSWORD)
    assert not can_sign_in(organization, owner.email, PASSWORD)


def test_a_mismatched_new_password_is_shown_on_the_field(organization, owner):
    ask_for_reset(organization, owner.email)
    client = Client(HTTP_HOST=organization.host)
    form_page = client.get(urlsplit(reset_link()).path, follow=True)
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert response.status_code == 200
    assert b'class="field-error"' in response.content
    assert can_sign_in(organization, owner.email, PASSWORD)


def test_a_reset_link_works_only_once(organization, owner):
    ask_for_reset(organization, owner.email)
    path = urlsplit(reset_link()).path
    client = Client(HTTP_HOST=organization.host)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client(HTTP_HOST=organization.host).get(path, follow=True)
    assert b"This reset link is invalid" in again.content


def test_no_e_mail_goes_to_a_user_of_another_organization(organization, owner, other_organization):
    ask_for_reset(other_organization, owner.email)
    assert mail.outbox == []


def test_a_reset_link_from_one_organization_is_invalid_at_another(organization, owner, other_organization):
    tenant_user(other_organization, role="owner")  # B's owner has the same user id as A's
    ask_for_reset(organization, owner.email)
    path = urlsplit(reset_link()).path
    response = Client(HTTP_HOST=other_organization.host).get(path, follow=True)
    assert b"This reset link is invalid" in response.content
