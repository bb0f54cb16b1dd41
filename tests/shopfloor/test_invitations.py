"""Inviting teammates: e-mailed signed links, the user limit, and links that work once, in one workspace."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import User
from shopfloor import services
from shopfloor.models import Invitation
from subscriptions.limits import LimitExceeded
from tests.conftest import PASSWORD, client_for
from tests.shopfloor.conftest import plan_set


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


@pytest.fixture
def invited(organization, owner, onboarded, django_capture_on_commit_callbacks):
    """Invite ana@example.com as an admin from the team page; return the link's path."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organization, owner).post("/team/", {"emails": "Ana@Example.com", "role": "admin"})
    assert response.status_code == 302
    (message,) = mail.outbox
    # The subject is ours alone; the workspace's own name (customer text) is only in the body.
    assert message.to == ["ana@example.com"] and message.subject == "You're invited to a workspace on Unison"
    assert "Acme Works" in message.body
    return _link_path(message)


def test_an_invitee_sets_a_password_and_joins_with_the_invited_role(organization, invited):
    client = client_for(organization)
    assert b"ana@example.com" in client.get(invited).content
    response = client.post(invited, {"full_name": "Ana Admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    with schema_context(organization.schema_name):
        user = User.objects.get(email="ana@example.com")
        assert (user.role, user.full_name, user.check_password(PASSWORD)) == ("admin", "Ana Admin", True)
        assert Invitation.objects.get().accepted_at is not None
    assert client.get("/").status_code == 200  # signed in


def test_an_invitation_link_works_once(organization, invited):
    client_for(organization).post(invited, {"full_name": "Ana", "password": PASSWORD})
    again = client_for(organization).post(invited, {"full_name": "Eve", "password": PASSWORD})
    assert again.status_code == 403 and b"already been used" in again.content


def test_a_weak_password_is_refused_on_the_field(organization, invited):
    response = client_for(organization).post(invited, {"full_name": "Ana", "password": "123"})
    assert response.status_code == 200 and b'class="field-error"' in response.content
    with schema_context(organization.schema_name):
        assert not User.objects.filter(email="ana@example.com").exists()


def test_an_invitation_link_is_worthless_at_another_workspace_or_when_forged(organization, other_organization, invited):
    assert client_for(other_organization).get(invited).status_code == 403
    assert client_for(organization).get(invited[:-3] + "xx/").status_code == 403
    with schema_context(other_organization.schema_name):
        assert not User.objects.filter(email="ana@example.com").exists()


def test_invitations_count_against_the_user_limit(organization, in_tenant):
    plan_set(organization, "starter")  # 3 users
    services.invitations_send(organization=organization, emails="a@example.com\nb@example.com")
    with pytest.raises(LimitExceeded):
        services.invitations_send(organization=organization, emails="c@example.com")
    assert Invitation.objects.count() == 2


def test_acceptance_rechecks_the_user_limit(organization, in_tenant):
    invitation, = services.invitations_send(organization=organization, emails="a@example.com")
    plan_set(organization, "starter")
    for number in range(2):
        User.objects.create_user(email=f"m{number}@example.com", password=PASSWORD)
    link = services.invitation_link(organization=organization, invitation=invitation).split("/invitations/")[1]
    with pytest.raises(LimitExceeded):
        services.invitation_accept(organization=organization, signed=link.rstrip("/"), full_name="A", password=PASSWORD)
    assert not User.objects.filter(email="a@example.com").exists()


def test_bad_or_taken_addresses_are_named_and_nothing_is_sent(organization, owner, onboarded, in_tenant):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.invitations_send(organization=organization, emails=f"ok@example.com, nope, {owner.email}")
    problems = error.value.message_dict["emails"]
    assert any("nope is not a valid" in p for p in problems)
    assert any("already a member" in p for p in problems)
    assert not Invitation.objects.exists()


def test_an_invitation_for_an_address_that_joined_meanwhile_is_refused_not_a_500(organization, invited):
    with schema_context(organization.schema_name):
        User.objects.create_user(email="ana@example.com", password=PASSWORD)
    response = client_for(organization).post(invited, {"full_name": "Ana", "password": PASSWORD})
    assert response.status_code == 403 and b"already has an account" in response.content
    with schema_context(organization.schema_name):
        assert User.objects.filter(email="ana@example.com").count() == 1
