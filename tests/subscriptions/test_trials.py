"""The 14-day Professional trial under frozen time: its dates, its countdown, its end and extensions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from subscriptions import services
from subscriptions.entitlements import entitlements_compute
from subscriptions.lifecycle import trials_expire
from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.states import IllegalTransition
from tests.conftest import billed

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def trial(clock, make_organization) -> Subscription:
    return make_organization().subscription


def test_a_new_organization_gets_a_fourteen_day_professional_trial(trial):
    assert (trial.status, trial.tier) == (Status.TRIALING, "professional")
    assert trial.trial_starts_at == START
    assert trial.trial_ends_at == START + timedelta(days=14)
    assert trial.days_left_in_trial == 14 and not trial.trial_converted
    assert SubscriptionEvent.objects.get(subscription=trial).transition == "start_trial"


@pytest.mark.parametrize(
    ("elapsed", "days_left"),
    [
        (timedelta(0), 14),
        (timedelta(days=7), 7),
        (timedelta(days=7, seconds=1), 7),  # rounded up: part of a day still counts
        (timedelta(days=11), 3),
        (timedelta(days=12, hours=1), 2),
        (timedelta(days=13, hours=23), 1),
        (timedelta(days=14), 0),
    ],
)
def test_days_left_count_down_rounding_up(trial, clock, elapsed, days_left):
    clock.move_to(START + elapsed)
    assert trial.days_left_in_trial == days_left


def test_a_trial_past_its_end_is_read_only_before_the_daily_job_runs(trial, clock):
    clock.move_to(START + timedelta(days=14, seconds=1))
    assert trial.trial_is_over and entitlements_compute(trial).read_only


def test_expiring_waits_for_the_end_then_suspends_once(trial, clock):
    clock.move_to(START + timedelta(days=13, hours=23))
    services.subscription_expire_trial(subscription=trial)
    assert Subscription.objects.get(pk=trial.pk).status == Status.TRIALING
    clock.move_to(START + timedelta(days=14))
    services.subscription_expire_trial(subscription=trial)
    services.subscription_expire_trial(subscription=trial)
    stored = Subscription.objects.get(pk=trial.pk)
    assert (stored.status, stored.suspension_reason) == (Status.SUSPENDED, "trial_expired")
    assert SubscriptionEvent.objects.filter(subscription=trial, transition="expire_trial").count() == 1


def test_a_trial_cancelled_by_its_customer_ends_cancelled_not_suspended(trial, clock):
    services.subscription_cancel(subscription=trial, actor="owner")
    clock.move_to(START + timedelta(days=14))
    services.subscription_expire_trial(subscription=trial)
    assert Subscription.objects.get(pk=trial.pk).status == Status.CANCELLED


def test_extending_a_running_trial_pushes_its_end(trial, clock):
    clock.move_to(START + timedelta(days=10))
    services.subscription_extend_trial(subscription=trial, days=7, actor="ops")
    assert Subscription.objects.get(pk=trial.pk).trial_ends_at == START + timedelta(days=21)


def test_extending_a_lapsed_trial_reopens_it_from_today(trial, clock):
    clock.move_to(START + timedelta(days=20))
    services.subscription_expire_trial(subscription=trial)
    services.subscription_extend_trial(subscription=trial, days=5, actor="ops")
    stored = Subscription.objects.get(pk=trial.pk)
    assert (stored.status, stored.trial_ends_at) == (Status.TRIALING, START + timedelta(days=25))
    assert stored.suspension_reason == "" and stored.days_left_in_trial == 5


def test_a_paid_subscription_has_no_trial_to_extend(trial):
    billed(trial.organization, tier="starter")
    paid = Subscription.objects.get(pk=trial.pk)
    with pytest.raises(IllegalTransition) as raised:
        services.subscription_extend_trial(subscription=paid, days=5, actor="ops")
    assert (raised.value.name, raised.value.from_status) == ("extend_trial", Status.ACTIVE)
    stored = Subscription.objects.get(pk=trial.pk)
    assert stored.days_left_in_trial is None and stored.trial_ends_at == paid.trial_ends_at
    assert not SubscriptionEvent.objects.filter(subscription=trial, transition="extend_trial").exists()


@pytest.fixture
def stripe_trial(trial) -> Subscription:
    """The trial after checkout with a card: Stripe runs it now, to the same end."""
    billed(trial.organization, tier="professional", status="trialing", trial_end=START + timedelta(days=14))
    stored = Subscription.objects.get(pk=trial.pk)
    assert (stored.status, stored.stripe_subscription_id, stored.mrr_cents) == (Status.TRIALING, "sub_test_1", 0)
    return stored


def test_a_trial_stripe_runs_cannot_be_extended_here(stripe_trial):
    with pytest.raises(services.StripeOwnsIt) as raised:
        services.subscription_extend_trial(subscription=stripe_trial, days=5, actor="ops")
    assert raised.value.status == 409 and "Stripe" in raised.value.message
    stored = Subscription.objects.get(pk=stripe_trial.pk)
    assert stored.trial_ends_at == START + timedelta(days=14)
    assert not SubscriptionEvent.objects.filter(subscription=stripe_trial, transition="extend_trial").exists()


def test_a_trial_stripe_runs_is_not_expired_by_the_daily_job(stripe_trial, clock):
    # Stripe ends the trials it runs (it charges the card, or gives up): our job leaves them alone.
    clock.move_to(START + timedelta(days=15))
    assert not stripe_trial.trial_is_over and not entitlements_compute(stripe_trial).read_only
    assert trials_expire() == 0
    services.subscription_expire_trial(subscription=stripe_trial)
    stored = Subscription.objects.get(pk=stripe_trial.pk)
    assert (stored.status, stored.suspension_reason, stored.suspended_at) == (Status.TRIALING, "", None)
    assert not SubscriptionEvent.objects.filter(subscription=stripe_trial, transition="expire_trial").exists()


def test_the_daily_job_expires_a_trial_without_a_card(trial, clock):
    clock.move_to(START + timedelta(days=15))
    assert trials_expire() == 1
    assert Subscription.objects.get(pk=trial.pk).suspension_reason == "trial_expired"


@pytest.mark.parametrize("days", [0, -3, 366, "7", 2.5])
def test_an_extension_needs_a_sensible_whole_number_of_days(trial, days):
    with pytest.raises(ValidationError) as raised:
        services.subscription_extend_trial(subscription=trial, days=days, actor="ops")
    assert "days" in raised.value.message_dict
