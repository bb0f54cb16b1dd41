"""Limit messages: counted nouns (1 plant, 3 plants), pending invitations named, a batch told how many fit,
and every message naming what lifts it with a link to the billing page."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import Invitation
from subscriptions.limits import counted, limit_check, limit_message, upgrade_url
from subscriptions.models import Subscription
from tests.conftest import client_for, tenant_user
from tests.shopfloor.conftest import plan_set

STARTER_USERS_LIFT = "Add the Extra user add-on ($5 per user a month) or upgrade to Professional (25 users)."


def test_counted_puts_the_noun_in_the_singular_only_for_one():
    assert [counted(n, "plant") for n in (0, 1, 3)] == ["0 plants", "1 plant", "3 plants"]
    assert counted(1, "pending invitation") == "1 pending invitation"


def test_one_plant_is_singular_and_a_plan_without_multi_plant_names_only_the_upgrade():
    assert limit_message(action="add_plant", limit=1, used=1, tier_key="starter") == (
        "Your plan includes 1 plant and you have 1. Upgrade to Professional (5 plants).")


def test_plants_on_professional_name_the_add_on_and_enterprise():
    assert limit_message(action="add_plant", limit=5, used=5, tier_key="professional") == (
        "Your plan includes 5 plants and you have 5. "
        "Add the Extra plant add-on ($25 per plant a month) or upgrade to Enterprise (unlimited plants).")


def test_the_add_on_is_priced_in_the_workspaces_currency(organization):
    assert limit_message(action="add_plant", limit=5, used=5, tier_key="professional", currency="inr") == (
        "Your plan includes 5 plants and you have 5. "
        "Add the Extra plant add-on (₹1,999 per plant a month) or upgrade to Enterprise (unlimited plants).")
    plan_set(organization, "professional")
    Subscription.objects.filter(organization=organization).update(currency="eur")
    with schema_context(organization.schema_name):
        for n in range(5):
            services.plant_create(organization=organization, name=f"Plant {n}", code=f"P-{n}")
    assert "(€23 per plant a month)" in limit_check(organization, "add_plant").message


def test_pending_invitations_are_counted_and_named():
    assert limit_message(action="add_user", limit=3, used=1, pending=2, tier_key="starter") == (
        f"Your plan includes 3 users and you have 1 user and 2 pending invitations, so no more fit. {STARTER_USERS_LIFT}")


def test_a_batch_that_does_not_fit_says_how_many_would():
    assert limit_message(action="add_user", limit=3, used=1, pending=1, adding=3, tier_key="starter") == (
        "Your plan includes 3 users and you have 1 user and 1 pending invitation: 1 more fits, "
        f"and you asked for 3. {STARTER_USERS_LIFT}")
    assert limit_message(action="add_user", limit=3, used=1, adding=4, tier_key="starter").startswith(
        "Your plan includes 3 users and you have 1 user: 2 more fit, and you asked for 4.")


def test_the_check_counts_pending_invitations_against_the_limit(organization):
    plan_set(organization, "starter")
    check = limit_check(organization, "add_user", pending=2)
    assert (check.allowed, check.used, check.pending, check.free) == (False, 1, 2, 0)
    assert "1 user and 2 pending invitations" in check.message and check.upgrade_url == upgrade_url()


@pytest.fixture
def owner_client(organization, owner, onboarded):
    return client_for(organization, owner)


def test_the_team_page_counts_users_and_pending_invitations_of_the_limit(organization, owner_client):
    plan_set(organization, "starter")
    with schema_context(organization.schema_name):
        Invitation.objects.create(email="a@example.com", role="member")
        Invitation.objects.create(email="b@example.com", role="member")
    page = owner_client.get("/team/").content.decode()
    assert "1 user and 2 pending invitations of 3 on your plan" in page
    assert "Your plan includes 3 users and you have 1 user and 2 pending invitations, so no more fit." in page
    assert f'<a href="{upgrade_url()}">See plans and add-ons</a>' in page


def test_the_team_page_says_how_many_more_fit(organization, owner_client):
    plan_set(organization, "starter")
    tenant_user(organization, role="member")
    page = owner_client.get("/team/").content.decode()
    assert "2 users of 3 on your plan" in page
    assert "1 more fits on your plan." in page and f'href="{upgrade_url()}"' in page


def test_a_bulk_invite_past_the_limit_says_how_many_fit_and_sends_nothing(
    organization, owner_client, django_capture_on_commit_callbacks
):
    plan_set(organization, "starter")
    with schema_context(organization.schema_name):
        Invitation.objects.create(email="a@example.com", role="member")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/team/", {"emails": "b@example.com c@example.com d@example.com", "role": "member"})
    assert response.status_code == 403
    body = response.content.decode()
    assert ("Your plan includes 3 users and you have 1 user and 1 pending invitation: 1 more fits, "
            "and you asked for 3.") in body
    assert STARTER_USERS_LIFT in body and f'href="{upgrade_url()}"' in body
    assert not mail.outbox
    with schema_context(organization.schema_name):
        assert Invitation.objects.count() == 1


def test_the_plant_form_warns_with_the_singular_and_a_link(organization, owner_client):
    plan_set(organization, "starter")
    with schema_context(organization.schema_name):
        services.plant_create(organization=organization, name="First", code="ONE-1")
    page = owner_client.get("/plants/new/").content.decode()
    assert "Your plan includes 1 plant and you have 1. Upgrade to Professional (5 plants)." in page
    assert f'<a href="{upgrade_url()}">Upgrade your plan</a>' in page
