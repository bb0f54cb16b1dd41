"""The writes other apps call: Stripe's mirror (idempotent, order-free), payment counters, trial cancels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from notifications.models import NotificationLog
from subscriptions import services
from subscriptions.entitlements import entitlements_compute
from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.services import BillingState
from subscriptions.states import IllegalTransition
from tests.conftest import billed


def transitions(subscription: Subscription) -> list[str]:
    return list(SubscriptionEvent.objects.filter(subscription=subscription).order_by("id")
                .values_list("transition", flat=True))


def state(**fields) -> BillingState:
    base = {"stripe_subscription_id": "sub_test_1", "status": Status.ACTIVE, "tier": "starter",
            "billing_cycle": "monthly", "mrr_cents": 4900}
    return BillingState(**{**base, **fields})


def mirror(subscription: Subscription, **fields):
    return services.subscription_mirror(subscription=subscription, state=state(**fields))


@pytest.fixture
def subscription(organization) -> Subscription:
    return organization.subscription


def test_a_trial_keeps_its_tier_until_stripe_bills_and_then_converts(subscription):
    trial = mirror(subscription, status=Status.TRIALING, mrr_cents=0,
                   trial_end=timezone.now() + timedelta(days=10)).subscription

    assert (trial.status, trial.tier, trial.mrr_cents, trial.trial_converted) == ("trialing", "starter", 0, False)
    assert trial.stripe_subscription_id == "sub_test_1"
    paid = mirror(subscription).subscription

    assert (paid.status, paid.mrr_cents, paid.trial_converted) == ("active", 4900, True)
    assert transitions(paid) == ["start_trial", "start_paid_trial", "convert"]
    assert list(paid.events.order_by("id").values_list("mrr_cents", flat=True)) == [0, 0, 4900]


def test_the_same_state_twice_changes_nothing_and_writes_no_event(subscription):
    mirror(subscription)
    again = mirror(subscription)

    assert again.outcome == "unchanged"
    assert transitions(subscription) == ["start_trial", "convert"]


def test_each_stripe_status_maps_to_its_named_transition(subscription):
    for status in (Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.ACTIVE, Status.CANCELLED, Status.ACTIVE):
        mirror(subscription, status=status)

    assert transitions(subscription) == ["start_trial", "convert", "payment_failed", "suspend_for_nonpayment",
                                         "payment_recovered", "cancel", "resubscribe"]
    subscription.refresh_from_db()
    assert subscription.cancelled_at is not None and subscription.mrr_cents == 4900


def test_a_status_stripe_cannot_lead_to_is_refused_and_changes_nothing(subscription):
    mirror(subscription, status=Status.CANCELLED)

    with pytest.raises(IllegalTransition):
        mirror(subscription, status=Status.PAST_DUE)

    assert Subscription.objects.get(pk=subscription.pk).status == Status.CANCELLED


def test_a_plan_change_add_ons_and_a_scheduled_change_are_each_an_event(subscription):
    mirror(subscription)
    mirror(subscription, tier="professional", mrr_cents=19900 + 1000, add_ons={"extra_user": 2})
    pending = {"tier": "starter", "billing_cycle": "monthly", "add_ons": {}, "starts_at": "2027-01-01T00:00:00"}
    mirror(subscription, tier="professional", mrr_cents=20900, add_ons={"extra_user": 2}, pending_plan=pending)
    mirror(subscription, tier="professional", mrr_cents=20900, add_ons={"extra_user": 2}, pending_plan=pending,
           cancel_at_period_end=True)

    subscription.refresh_from_db()
    assert transitions(subscription)[2:] == ["change_plan", "schedule_change", "schedule_cancel"]
    assert subscription.pending_plan == pending and subscription.cancel_at_period_end
    assert entitlements_compute(subscription).limits.users == 25 + 2


def test_a_second_live_stripe_subscription_is_flagged_and_not_counted(subscription):
    mirror(subscription)

    second = mirror(subscription, stripe_subscription_id="sub_second", tier="enterprise", mrr_cents=99900)

    subscription.refresh_from_db()
    assert second.outcome == "duplicate"
    assert (subscription.stripe_subscription_id, subscription.tier, subscription.mrr_cents) == (
        "sub_test_1", "starter", 4900)
    assert subscription.extra_stripe_subscription_ids == ["sub_second"]
    mirror(subscription, stripe_subscription_id="sub_second", status=Status.CANCELLED)
    subscription.refresh_from_db()
    assert subscription.extra_stripe_subscription_ids == [] and subscription.status == Status.ACTIVE


def test_a_new_subscription_after_ours_ended_becomes_ours_and_an_ended_one_late_changes_nothing(subscription):
    mirror(subscription)
    mirror(subscription, status=Status.CANCELLED)
    mirror(subscription, stripe_subscription_id="sub_again", tier="professional", mrr_cents=19900)

    late = mirror(subscription, status=Status.CANCELLED)  # the old one, read late

    subscription.refresh_from_db()
    assert late.outcome == "stale"
    assert (subscription.stripe_subscription_id, subscription.status, subscription.tier) == (
        "sub_again", "active", "professional")
    assert transitions(subscription)[-1] == "resubscribe"


def test_a_plan_outside_the_catalog_changes_nothing(subscription):
    result = mirror(subscription, tier="", billing_cycle="")

    assert result.outcome == "unchanged" and "catalog" in result.detail
    assert Subscription.objects.get(pk=subscription.pk).status == Status.TRIALING


def test_failed_payments_are_counted_and_told_once_per_attempt_and_never_change_the_status(subscription):
    billed(subscription.organization, status=Status.PAST_DUE)

    for attempt in (1, 1, 2):
        services.subscription_record_payment_failed(subscription=subscription, attempt_count=attempt,
                                                    invoice_id="in_1")

    subscription.refresh_from_db()
    assert (subscription.status, subscription.failed_payment_count) == ("past_due", 2)
    assert NotificationLog.objects.filter(organization=subscription.organization, kind="payment_failed").count() == 2
    with pytest.raises(ValidationError) as refused:
        services.subscription_record_payment_failed(subscription=subscription, attempt_count=0)
    assert "attempt_count" in refused.value.message_dict


def test_a_zero_invoice_sends_no_payment_received(subscription):
    services.subscription_record_payment_succeeded(subscription=subscription, invoice_id="in_trial",
                                                   amount_paid_cents=0)
    services.subscription_record_payment_succeeded(subscription=subscription, invoice_id="in_paid",
                                                   amount_paid_cents=4900)
    services.subscription_record_payment_succeeded(subscription=subscription, invoice_id="in_paid",
                                                   amount_paid_cents=4900)

    sent = NotificationLog.objects.filter(organization=subscription.organization, kind="payment_succeeded")
    assert list(sent.values_list("occasion", flat=True)) == ["in_paid"]


def test_a_trial_without_a_card_cancels_at_its_end_or_now_and_each_cancellation_is_told(subscription):
    services.subscription_cancel(subscription=subscription, actor="owner")
    assert Subscription.objects.get(pk=subscription.pk).cancel_at_period_end
    services.subscription_resume(subscription=subscription, actor="owner")
    services.subscription_cancel(subscription=subscription, actor="owner", at_period_end=False)
    services.subscription_cancel(subscription=subscription, actor="owner", at_period_end=False)

    assert transitions(subscription) == ["start_trial", "schedule_cancel", "resume", "cancel"]
    assert NotificationLog.objects.filter(kind="subscription_cancelled",
                                          organization=subscription.organization).count() == 1


def test_a_subscription_stripe_runs_is_cancelled_through_billing_not_here(subscription):
    billed(subscription.organization)

    with pytest.raises(services.StripeOwnsIt):
        services.subscription_cancel(subscription=subscription, actor="owner")

    assert not Subscription.objects.get(pk=subscription.pk).cancel_at_period_end


def test_the_history_cannot_be_rewritten(subscription):
    event = subscription.events.get()

    for change in (lambda: SubscriptionEvent.objects.filter(pk=event.pk).update(mrr_cents=99900),
                   lambda: SubscriptionEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()

    assert SubscriptionEvent.objects.get(pk=event.pk).mrr_cents == 0


def test_a_trial_stripe_ends_early_ends_then_not_on_its_planned_date(subscription):
    planned = subscription.trial_ends_at

    paid = mirror(subscription).subscription  # charged at checkout (a tier above the trial's)

    assert paid.trial_ends_at < planned and paid.trial_ends_at <= timezone.now()
