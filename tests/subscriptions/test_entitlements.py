"""Entitlements: computed once, cached per organisation, forgotten after every change.

Entitlements = billing status (what Stripe bills) + the operator's hold + the operator's comp.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from subscriptions import catalog, services
from subscriptions.entitlements import entitlements_compute, entitlements_for
from subscriptions.models import Status, Subscription
from tests.conftest import billed, client_for


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
        billed(organization, tier="enterprise")
    assert entitlements_for(organization).tier == "enterprise"
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_hold(subscription=organization.subscription, reason="Test", actor="t")
    assert entitlements_for(organization).read_only
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_release_hold(subscription=organization.subscription, actor="t")
    assert not entitlements_for(organization).read_only


def test_one_organizations_entitlements_never_answer_for_another(
    organization, other_organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        billed(organization, tier="starter")
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
    assert len(mine["features"]) == 13 and len(theirs["features"]) == 21


def test_a_trial_without_a_card_runs_on_the_trial_tier(organization):
    subscription = organization.subscription
    assert (subscription.status, subscription.stripe_subscription_id) == (Status.TRIALING, "")
    rights = entitlements_compute(subscription)
    assert (rights.tier, catalog.TRIAL_TIER) == ("professional", "professional")
    assert rights.status == Status.TRIALING and rights.days_left_in_trial == 14
    assert rights.features == frozenset(catalog.tier("professional").features)
    assert rights.limits == catalog.tier("professional").limits
    assert not (rights.read_only or rights.held or rights.comped)


def test_a_hold_beats_an_active_billing_status_and_releasing_restores_it(
    organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        billed(organization, tier="starter")
    paying = entitlements_for(organization)
    assert (paying.tier, paying.status, paying.read_only) == ("starter", Status.ACTIVE, False)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_hold(subscription=organization.subscription, reason="Chargeback", actor="ops")
    held = entitlements_for(organization)
    assert organization.subscription.status == Status.ACTIVE  # the billing status is Stripe's, untouched
    assert (held.status, held.read_only, held.held) == ("suspended", True, True)
    assert held.tier == "starter" and held.features == paying.features  # they may still read what they pay for
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_release_hold(subscription=organization.subscription, actor="ops")
    assert entitlements_for(organization) == paying


def test_a_comp_gives_its_tier_writable_over_a_trial(organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_comp(subscription=organization.subscription, tier="enterprise", reason="Pilot",
                                   actor="ops")
    rights = entitlements_for(organization)
    assert organization.subscription.status == Status.TRIALING
    assert (rights.tier, rights.status, rights.read_only, rights.comped) == ("enterprise", Status.ACTIVE, False, True)
    assert rights.features == frozenset(catalog.tier("enterprise").features) and rights.limits.users is None
    assert rights.days_left_in_trial is None  # a free plan has no trial counting down
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_end_comp(subscription=organization.subscription, actor="ops")
    assert entitlements_for(organization).tier == "professional"
    assert entitlements_for(organization).status == Status.TRIALING


def test_a_comp_gives_its_tier_writable_over_a_lapsed_trial(organization):
    subscription = organization.subscription
    with time_machine.travel(subscription.trial_ends_at + timedelta(days=1)):
        services.subscription_expire_trial(subscription=subscription)
        assert entitlements_compute(subscription).read_only
        services.subscription_comp(subscription=subscription, tier="starter", reason="Goodwill", actor="ops")
        rights = entitlements_compute(subscription)
    assert (subscription.status, subscription.suspension_reason) == (Status.SUSPENDED, "trial_expired")
    assert (rights.tier, rights.status, rights.read_only) == ("starter", Status.ACTIVE, False)


def test_a_comp_gives_its_tier_writable_over_a_stripe_suspension(organization):
    suspended = billed(organization, tier="starter", status=Status.SUSPENDED)  # Stripe's "unpaid"
    assert entitlements_compute(suspended).read_only
    services.subscription_comp(subscription=suspended, tier="professional", reason="Dispute", actor="ops")
    rights = entitlements_compute(suspended)
    assert suspended.status == Status.SUSPENDED and suspended.mrr_cents == 0
    assert (rights.tier, rights.status, rights.read_only) == ("professional", Status.ACTIVE, False)


def test_a_hold_beats_a_comp(organization):
    subscription = organization.subscription
    services.subscription_comp(subscription=subscription, tier="enterprise", reason="Pilot", actor="ops")
    services.subscription_hold(subscription=subscription, reason="Abuse", actor="ops")
    rights = entitlements_compute(subscription)
    assert (rights.tier, rights.status, rights.read_only) == ("enterprise", "suspended", True)
    services.subscription_release_hold(subscription=subscription, actor="ops")
    assert entitlements_compute(subscription).read_only is False
