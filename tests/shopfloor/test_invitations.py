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


def _batch(start: int, count: int = 20) -> str:
    return "\n".join(f"p{number}@example.com" for number in range(start, start + count))


def test_a_workspace_sends_at_most_an_hours_worth_of_invitations_and_withdrawing_frees_none(
    organization, other_organization, owner, onboarded, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from shopfloor.models import InvitationSent
    from shopfloor.services.invitations import SENDS_PER_HOUR

    plan_set(organization, "enterprise")
    plan_set(other_organization, "enterprise")
    with schema_context(organization.schema_name):
        for start in range(0, SENDS_PER_HOUR, 20):  # 60 sent in three batches, then all withdrawn
            services.invitations_send(organization=organization, emails=_batch(start))
        for invitation in Invitation.objects.all():
            services.invitation_withdraw(invitation=invitation)
        assert InvitationSent.objects.count() == SENDS_PER_HOUR
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(organization, owner).post("/team/", {"emails": "late@example.com", "role": "member"})
    assert response.status_code == 200 and b"60 invitations an hour and has 0 left" in response.content
    assert b"late@example.com" in response.content  # what the owner typed is kept
    assert mail.outbox == []
    with schema_context(organization.schema_name):
        assert not Invitation.objects.exists()
        # An hour later 19 of the first batch have aged out: 19 fit again, 20 do not.
        InvitationSent.objects.filter(email__in=[f"p{n}@example.com" for n in range(19)]).update(
            sent_at=timezone.now() - timedelta(hours=1, seconds=1)
        )
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError, match="has 19 left"):
            services.invitations_send(organization=organization, emails=_batch(100))
        assert len(services.invitations_send(organization=organization, emails=_batch(100, 19))) == 19
        assert InvitationSent.objects.count() == SENDS_PER_HOUR  # the aged-out rows were pruned
    with schema_context(other_organization.schema_name):  # another workspace's sends are its own
        assert len(services.invitations_send(organization=other_organization, emails=_batch(0))) == 20
