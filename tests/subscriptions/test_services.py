"""The named writes other apps call: Stripe-driven ones are idempotent, operator ones validate their input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from subscriptions import services
from subscriptions.entitlements import entitlements_for
from subscriptions.models import Status, Subscription, SubscriptionAddOn, SubscriptionEvent
from subscriptions.states import IllegalTransition
from tests.conftest import tenant_user


def put(subscription: Subscription, status: str, **fields) -> Subscription:
    Subscription.objects.filter(pk=subscription.pk).update(status=status, **fields)
    subscription.refresh_from_db()
    return subscription


def transitions(subscription: Subscription) -> list[str]:
    return list(
        SubscriptionEvent.objects.filter(subscription=subscription).order_by("id").values_list("transition", flat=True)
    )


@pytest.fixture
def subscription(organization) -> Subscription:
    return organization.subscription


@pytest.fixture
def active(subscription) -> Subscription:
    """Return an active Professional subscription paid outside Stripe (no billing hook is called)."""
    return services.subscription_convert(subscription=subscription, tier="professional", billing_cycle="monthly")


def test_converting_a_trial_makes_it_active_and_marks_the_trial_converted(subscription):
    end = timezone.now() + timedelta(days=30)
    result = services.subscription_convert(
        subscription=subscription,
        tier="starter",
        billing_cycle="annual",
        stripe_subscription_id="sub_9",
        period_end=end,
    )
    assert result is subscription
    stored = Subscription.objects.get(pk=subscription.pk)
    assert (stored.status, stored.tier, stored.billing_cycle) == (Status.ACTIVE, "starter", "annual")
    assert stored.trial_converted and stored.converted_at is not None
    assert (stored.stripe_subscription_id, stored.current_period_end) == ("sub_9", end)
    assert transitions(subscription)[-1] == "convert"


def test_converting_again_with_the_same_stripe_subscription_only_updates_fields(subscription):
    services.subscription_convert(
        subscription=subscription, tier="professional", billing_cycle="monthly", stripe_subscription_id="sub_1"
    )
    events = transitions(subscription)
    services.subscription_convert(
        subscription=subscription, tier="enterprise", billing_cycle="monthly", stripe_subscription_id="sub_1"
    )
    active = subscription
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.tier) == (Status.ACTIVE, "enterprise")
    assert transitions(active) == [*events, "change_plan"]  # no status change; the new plan is recorded


def test_a_cancelled_subscription_that_pays_again_is_resubscribed(active):
    services.subscription_end(subscription=active, actor="stripe")
    services.subscription_convert(subscription=active, tier="starter", billing_cycle="monthly")
    assert Subscription.objects.get(pk=active.pk).status == Status.ACTIVE
    assert transitions(active)[-2:] == ["cancel", "resubscribe"]


def test_every_event_records_the_plan_and_a_plan_change_from_stripe_is_an_event_of_its_own(active):
    services.subscription_change_tier(subscription=active, tier="enterprise", billing_cycle="monthly", actor="owner")
    services.subscription_convert(subscription=active, tier="enterprise", billing_cycle="annual",
                                  stripe_subscription_id="sub_1")  # the customer changed cycle in Stripe's portal
    services.subscription_convert(subscription=active, tier="enterprise", billing_cycle="annual",
                                  stripe_subscription_id="sub_1")  # the same event again: nothing new

    history = list(SubscriptionEvent.objects.filter(subscription=active).order_by("created_at", "id")
                   .values_list("transition", "tier", "billing_cycle"))
    assert history[-2:] == [("change_tier", "enterprise", "monthly"), ("change_plan", "enterprise", "annual")]
    assert all(tier and cycle for _, tier, cycle in history)


def test_the_migration_gives_past_events_the_plan_they_left_behind(active):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("subscriptions.migrations.0003_subscription_event_plan")
    services.subscription_change_tier(subscription=active, tier="enterprise", billing_cycle="annual", actor="owner")
    services.subscription_schedule_downgrade(subscription=active, tier="starter", actor="owner")
    services.subscription_record_payment_failed(subscription=active, invoice_id="in_1", attempt_count=1)
    events = SubscriptionEvent.objects.filter(subscription=active).order_by("created_at", "id")
    events.update(tier="", billing_cycle="")  # as the rows were before the migration

    migration.backfill_plans(apps, None)

    assert list(events.values_list("transition", "tier", "billing_cycle")) == [
        ("start_trial", "professional", "monthly"),  # the first cycle named (at the conversion)
        ("convert", "professional", "monthly"),
        ("change_tier", "enterprise", "annual"),
        ("schedule_downgrade", "enterprise", "annual"),  # Starter comes at the end of the period
        ("payment_failed", "enterprise", "annual"),
    ]


def test_each_cancellation_sends_one_notice_and_a_second_cancellation_another(active, organization):
    from notifications.models import NotificationLog

    notices = NotificationLog.objects.filter(organization=organization, kind="subscription_cancelled")
    services.subscription_end(subscription=active, actor="stripe")
    services.subscription_end(subscription=active, actor="stripe")  # a repeated Stripe event
    assert notices.count() == 1

    services.subscription_convert(subscription=active, tier="starter", billing_cycle="monthly")
    services.subscription_end(subscription=active, actor="stripe")
    assert notices.count() == 2


def test_converting_to_an_unknown_plan_names_the_fields(subscription):
    with pytest.raises(ValidationError) as raised:
        services.subscription_convert(subscription=subscription, tier="gold", billing_cycle="weekly")
    assert set(raised.value.message_dict) == {"tier", "billing_cycle"}
    assert Subscription.objects.get(pk=subscription.pk).status == Status.TRIALING


def test_the_first_and_second_failed_payment_make_it_past_due_and_the_third_suspends(active):
    services.subscription_record_payment_failed(subscription=active, attempt_count=1, invoice_id="in_1")
    assert (active.status, active.failed_payment_count) == (Status.PAST_DUE, 1)
    services.subscription_record_payment_failed(subscription=active, attempt_count=2, invoice_id="in_1")
    assert (active.status, active.failed_payment_count) == (Status.PAST_DUE, 2)
    services.subscription_record_payment_failed(subscription=active, attempt_count=3, invoice_id="in_1")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.failed_payment_count, stored.suspension_reason) == (
        Status.SUSPENDED,
        3,
        "payment_failed",
    )
    assert transitions(active)[-4:] == ["payment_failed", "payment_failed", "payment_failed", "suspend_for_nonpayment"]
    assert entitlements_for(active.organization).read_only


def test_a_repeated_or_late_failure_changes_nothing(active):
    services.subscription_record_payment_failed(subscription=active, attempt_count=2, invoice_id="in_1")
    events = transitions(active)
    services.subscription_record_payment_failed(subscription=active, attempt_count=2, invoice_id="in_1")
    services.subscription_record_payment_failed(subscription=active, attempt_count=1, invoice_id="in_1")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.failed_payment_count) == (Status.PAST_DUE, 2)
    assert transitions(active) == events


def test_a_third_failure_arriving_first_still_suspends(active):
    services.subscription_record_payment_failed(subscription=active, attempt_count=3, invoice_id="in_1")
    assert Subscription.objects.get(pk=active.pk).status == Status.SUSPENDED


def test_a_failure_of_an_invoice_already_paid_is_ignored(active):
    services.subscription_record_payment_succeeded(subscription=active, invoice_id="in_7")
    services.subscription_record_payment_failed(subscription=active, attempt_count=1, invoice_id="in_7")
    assert Subscription.objects.get(pk=active.pk).status == Status.ACTIVE


def test_a_failed_payment_needs_a_positive_attempt_number(active):
    with pytest.raises(ValidationError) as raised:
        services.subscription_record_payment_failed(subscription=active, attempt_count=0)
    assert "attempt_count" in raised.value.message_dict


def test_a_payment_recovers_a_past_due_or_unpaid_suspended_subscription(active):
    services.subscription_record_payment_failed(subscription=active, attempt_count=3, invoice_id="in_1")
    later = timezone.now() + timedelta(days=31)
    services.subscription_record_payment_succeeded(subscription=active, invoice_id="in_1", period_end=later)
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.failed_payment_count, stored.suspension_reason) == (Status.ACTIVE, 0, "")
    assert stored.current_period_end == later
    assert transitions(active)[-1] == "payment_recovered"


def test_a_payment_does_not_lift_an_operators_suspension(active):
    services.subscription_suspend(subscription=active, reason="Fraud review", actor="ops@unison.test")
    services.subscription_record_payment_succeeded(subscription=active, invoice_id="in_2")
    assert Subscription.objects.get(pk=active.pk).status == Status.SUSPENDED


def test_a_late_payment_event_does_not_move_the_period_back(active):
    later, earlier = timezone.now() + timedelta(days=60), timezone.now() + timedelta(days=30)
    services.subscription_record_payment_succeeded(subscription=active, invoice_id="in_2", period_end=later)
    services.subscription_record_payment_succeeded(subscription=active, invoice_id="in_1", period_end=earlier)
    assert Subscription.objects.get(pk=active.pk).current_period_end == later


def test_cancelling_waits_for_the_period_end_and_can_be_taken_back(active):
    services.subscription_cancel(subscription=active, actor="owner@x.test")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.cancel_at_period_end) == (Status.ACTIVE, True)
    services.subscription_cancel(subscription=active, actor="owner@x.test")  # twice is once
    assert transitions(active).count("schedule_cancel") == 1
    services.subscription_resume(subscription=active, actor="owner@x.test")
    assert not Subscription.objects.get(pk=active.pk).cancel_at_period_end


def test_cancelling_now_ends_the_subscription_once(active):
    services.subscription_cancel(subscription=active, actor="owner@x.test", at_period_end=False)
    services.subscription_end(subscription=active, actor="stripe")
    stored = Subscription.objects.get(pk=active.pk)
    assert stored.status == Status.CANCELLED and stored.cancelled_at is not None
    assert transitions(active).count("cancel") == 1
    with pytest.raises(IllegalTransition):
        services.subscription_cancel(subscription=active, actor="owner@x.test")


def test_an_upgrade_takes_effect_now_and_clears_a_scheduled_downgrade(active, django_capture_on_commit_callbacks):
    Subscription.objects.filter(pk=active.pk).update(pending_tier="starter")
    assert not entitlements_for(active.organization).has("sap_integration")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_change_tier(subscription=active, tier="enterprise", billing_cycle="annual", actor="o")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.tier, stored.billing_cycle, stored.pending_tier) == ("enterprise", "annual", "")
    assert entitlements_for(active.organization).has("sap_integration")


def test_an_upgrade_to_a_smaller_tier_is_refused(active):
    with pytest.raises(ValidationError) as raised:
        services.subscription_change_tier(subscription=active, tier="starter", billing_cycle="monthly", actor="o")
    assert "downgrade" in raised.value.message_dict["tier"][0]


def test_a_past_due_subscription_cannot_change_tier(active):
    put(active, Status.PAST_DUE)
    with pytest.raises(IllegalTransition):
        services.subscription_change_tier(subscription=active, tier="enterprise", billing_cycle="monthly", actor="o")


def test_a_downgrade_that_fits_waits_for_the_period_end(active):
    services.subscription_schedule_downgrade(subscription=active, tier="starter", actor="o")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.tier, stored.pending_tier) == ("professional", "starter")
    services.subscription_apply_pending_tier(subscription=active)
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.tier, stored.pending_tier) == ("starter", "")
    services.subscription_apply_pending_tier(subscription=active)  # nothing pending: nothing happens
    assert transitions(active).count("apply_pending_tier") == 1


def test_a_downgrade_is_refused_with_everything_that_exceeds(organization, active):
    for _ in range(6):
        tenant_user(organization)
    with pytest.raises(ValidationError) as raised:
        services.subscription_schedule_downgrade(subscription=active, tier="starter", actor="o")
    assert raised.value.message_dict["tier"] == ["You have 7 users; Starter allows 3."]
    assert Subscription.objects.get(pk=active.pk).pending_tier == ""


def test_an_extra_user_add_on_counts_when_checking_a_downgrade(organization, active):
    for _ in range(3):
        tenant_user(organization)
    services.subscription_set_add_on(subscription=active, kind="extra_user", quantity=1, actor="o")
    services.subscription_schedule_downgrade(subscription=active, tier="starter", actor="o")
    assert Subscription.objects.get(pk=active.pk).pending_tier == "starter"


def test_a_trial_downgrades_at_once(subscription):
    services.subscription_schedule_downgrade(subscription=subscription, tier="starter", actor="o")
    stored = Subscription.objects.get(pk=subscription.pk)
    assert (stored.status, stored.tier, stored.pending_tier) == (Status.TRIALING, "starter", "")


def test_a_suspension_needs_a_reason_and_reactivation_clears_it(active):
    with pytest.raises(ValidationError) as raised:
        services.subscription_suspend(subscription=active, reason="  ", actor="ops")
    assert "reason" in raised.value.message_dict
    services.subscription_suspend(subscription=active, reason="Chargeback", actor="ops")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.suspension_reason) == (Status.SUSPENDED, "Chargeback")
    services.subscription_reactivate(subscription=active, actor="ops")
    stored = Subscription.objects.get(pk=active.pk)
    assert (stored.status, stored.suspension_reason, stored.suspended_at) == (Status.ACTIVE, "", None)


def test_add_ons_are_set_replaced_and_removed(active, django_capture_on_commit_callbacks):
    def set_plants(quantity):
        with django_capture_on_commit_callbacks(execute=True):
            return services.subscription_set_add_on(
                subscription=active, kind="extra_plant", quantity=quantity, actor="o"
            )

    assert entitlements_for(active.organization).limits.plants == 5
    set_plants(2)
    assert entitlements_for(active.organization).limits.plants == 7
    set_plants(3)
    assert entitlements_for(active.organization).limits.plants == 8
    assert set_plants(0) is None
    assert entitlements_for(active.organization).limits.plants == 5
    history = SubscriptionAddOn.objects.filter(subscription=active).order_by("id")
    assert [(a.quantity, a.removed_at is None, a.unit_price_cents) for a in history] == [
        (2, False, 2500),
        (3, False, 2500),
    ]


def test_add_on_input_is_checked(active):
    with pytest.raises(ValidationError) as raised:
        services.subscription_set_add_on(subscription=active, kind="extra_desk", quantity=-1, actor="o")
    assert set(raised.value.message_dict) == {"kind", "quantity"}


def test_scheduled_downgrades_apply_once_their_period_has_ended(active, make_organization):
    services.subscription_schedule_downgrade(subscription=active, tier="starter", actor="o")
    later = make_organization().subscription
    services.subscription_convert(subscription=later, tier="professional", billing_cycle="monthly")
    services.subscription_schedule_downgrade(subscription=later, tier="starter", actor="o")
    now = timezone.now()
    Subscription.objects.filter(pk=active.pk).update(current_period_end=now - timedelta(minutes=1))
    Subscription.objects.filter(pk=later.pk).update(current_period_end=now + timedelta(days=3))
    assert services.pending_downgrades_apply(now=now) == 1
    assert Subscription.objects.get(pk=active.pk).tier == "starter"
    assert Subscription.objects.get(pk=later.pk).tier == "professional"
    assert services.pending_downgrades_apply(now=now) == 0
