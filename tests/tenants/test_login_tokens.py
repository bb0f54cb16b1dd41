"""One-time login tokens carry a user from the public host into their workspace."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import LoginToken
from tenants.services import login_token_issue


def follow(url: str, host: str | None = None):
    """Open the token URL in a fresh browser and return (client, response)."""
    parts = urlsplit(url)
    client = Client(HTTP_HOST=host or parts.netloc)
    return client, client.get(parts.path)


def signed_in_email(client: Client, host: str) -> str | None:
    response = client.get("/api/v1/auth/me", HTTP_HOST=host)
    return response.json()["email"] if response.status_code == 200 else None


def test_the_token_url_points_at_the_organizations_host(organization, owner):
    url = login_token_issue(organization=organization, user_id=owner.pk)
    assert url.startswith(f"http://{organization.host}:8000/accounts/token/")


def test_a_token_signs_the_user_in_once(organization, owner):
    url = login_token_issue(organization=organization, user_id=owner.pk)

    client, response = follow(url)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_email(client, organization.host) == owner.email

    again, response = follow(url)
    assert response.status_code == 403
    assert b"already been used" in response.content
    assert signed_in_email(again, organization.host) is None


def test_a_token_expires_after_two_minutes(organization, owner):
    url = login_token_issue(organization=organization, user_id=owner.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=121)):
        client, response = follow(url)
    assert response.status_code == 403
    assert signed_in_email(client, organization.host) is None
    assert LoginToken.objects.get().used_at is None


def test_a_token_still_works_just_before_it_expires(organization, owner):
    url = login_token_issue(organization=organization, user_id=owner.pk)
    with time_machine.travel(timezone.now() + timedelta(seconds=110)):
        client, response = follow(url)
    assert response.status_code == 302
    assert signed_in_email(client, organization.host) == owner.email


def test_a_token_is_refused_on_another_organizations_host_and_stays_unused(organization, owner, other_organization):
    url = login_token_issue(organization=organization, user_id=owner.pk)

    client, response = follow(url, host=other_organization.host)
    assert response.status_code == 403
    assert signed_in_email(client, other_organization.host) is None

    client, response = follow(url)
    assert response.status_code == 302, "a misdirected attempt must not burn the token"


def test_a_forged_token_is_refused(organization, owner):
    url = login_token_issue(organization=organization, user_id=owner.pk)
    forged = url.replace("/token/", "/token/x")
    client, response = follow(forged)
    assert response.status_code == 403
    assert signed_in_email(client, organization.host) is None


def test_a_token_for_a_user_who_is_gone_is_refused(organization, owner):
    url = login_token_issue(organization=organization, user_id=owner.pk)
    with schema_context(organization.schema_name):
        owner.is_active = False
        owner.save(update_fields=["is_active"])
    client, response = follow(url)
    assert response.status_code == 403
    assert b"no longer exists" in response.content


def test_an_impersonation_token_shows_the_banner_and_limits_the_session(organization, owner):
    url = login_token_issue(
        organization=organization,
        user_id=owner.pk,
        impersonator="op@unison.local",
        reason="ticket 7",
        session_seconds=600,
    )
    client, response = follow(url)
    assert response.status_code == 302
    with schema_context(organization.schema_name):
        session = client.session
        assert session["impersonator"] == "op@unison.local"
        assert session["impersonation_ends_at"] == (LoginToken.objects.get().used_at + timedelta(seconds=600)).isoformat()
    page = client.get("/", HTTP_HOST=organization.host)
    assert b"Signed in as" in page.content and b"10 min left" in page.content
    assert b"op@unison.local" in page.content
