"""Entitlements: computed once, cached per organisation, forgotten after every change."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from subscriptions import services
from subscriptions.entitlements import entitlements_for
from subscriptions.models import Subscription
from tests.conftest import client_for


def real_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SET search_path")]


def test_entitlements_are_computed_once_then_cached(organization):
    first = entitlements_for(organization)
    with CaptureQueriesContext(connection) as captured:
        again = entitlements_for(organization)
    assert again == first and real_queries(captured) == []
    assert first.tier == "professional" and first.limits.users == 25 and not first.read_only


def test_a_change_is_seen_as_soon_as_it_commits(organization, django_capture_on_commit_callbacks):
    assert entitlements_for(organization).tier == "professional"
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_change_tier(
            subscription=organization.subscription, tier="enterprise", billing_cycle="monthly", actor="t"
        )
    assert entitlements_for(organization).tier == "enterprise"
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_suspend(subscription=organization.subscription, reason="Test", actor="t")
    assert entitlements_for(organization).read_only


def test_one_organizations_entitlements_never_answer_for_another(
    organization, other_organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_schedule_downgrade(subscription=organization.subscription, tier="starter", actor="t")
    # Asked from inside the other tenant's schema, each still gets its own.
    with schema_context(other_organization.schema_name):
        assert entitlements_for(organization).tier == "starter"
        assert entitlements_for(other_organization).tier == "professional"
    assert entitlements_for(other_organization).limits.users == 25


def test_each_request_carries_its_own_organizations_entitlements(organization, owner, other_organization, outsider):
    Subscription.objects.filter(organization=other_organization).update(tier="enterprise")
    mine = client_for(organization, owner).get("/api/v1/subscription").json()
    theirs = client_for(other_organization, outsider).get("/api/v1/subscription").json()
    assert (mine["tier"], theirs["tier"]) == ("professional", "enterprise")
    assert len(mine["features"]) == 13 and len(theirs["features"]) == 20
