"""Writes Stripe's webhooks drive: conversion, failed and successful payments (idempotent, order-tolerant)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.services import notify
from subscriptions.models import Status, Subscription
from subscriptions.services.core import (
    SUSPEND_AFTER_FAILED_PAYMENTS,
    _copy_onto,
    _locked,
    _period_changes,
    _save_changes,
    _validate_plan,
    subscription_transition,
)


@transaction.atomic
def subscription_convert(
    *,
    subscription: Subscription,
    tier: str,
    billing_cycle: str,
    stripe_subscription_id: str = "",
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    actor: str = "stripe",
) -> Subscription:
    """Make the subscription a paid plan and return it.

    Trialing or suspended → active ("convert"), cancelled → active ("resubscribe"). On an
    active or past-due subscription this only brings tier, cycle, Stripe id and period up to
    date, so a repeated checkout or subscription-updated event is harmless.
    """
    _validate_plan(tier=tier, billing_cycle=billing_cycle)
    locked = _locked(subscription)
    now = timezone.now()
    changes: dict = {"tier": tier, "billing_cycle": billing_cycle}
    if stripe_subscription_id:
        changes["stripe_subscription_id"] = stripe_subscription_id
    if not locked.trial_converted and locked.trial_starts_at:
        changes.update(trial_converted=True, converted_at=now)
    if locked.status in (Status.ACTIVE, Status.PAST_DUE):
        if tier != locked.tier:
            changes["pending_tier"] = ""
        changes.update(_period_changes(locked, period_start, period_end))
        _save_changes(locked, changes, actor=actor)
        return _copy_onto(subscription, locked)
    changes.update(
        pending_tier="",
        failed_payment_count=0,
        suspended_at=None,
        suspension_reason="",
        cancel_at_period_end=False,
        cancelled_at=None,
    )
    if period_end:
        changes.update(current_period_start=period_start or now, current_period_end=period_end)
    name = "resubscribe" if locked.status == Status.CANCELLED else "convert"
    return subscription_transition(
        subscription=subscription,
        name=name,
        actor=actor,
        changes=changes,
        tier=tier,
        billing_cycle=billing_cycle,
        stripe_subscription_id=stripe_subscription_id,
    )


@transaction.atomic
def subscription_record_payment_failed(
    *, subscription: Subscription, attempt_count: int, invoice_id: str = "", actor: str = "stripe"
) -> Subscription:
    """Count a failed payment: past due on the 1st and 2nd failure, suspended on the 3rd; return it.

    An attempt not newer than the count already recorded (a repeat or a late event), or a
    failure of the invoice last known paid, changes nothing.
    """
    if isinstance(attempt_count, bool) or not isinstance(attempt_count, int) or attempt_count < 1:
        raise ValidationError({"attempt_count": ["Give the attempt number, 1 or more."]})
    locked = _locked(subscription)
    if attempt_count <= locked.failed_payment_count or (invoice_id and invoice_id == locked.last_paid_invoice_id):
        return _copy_onto(subscription, locked)
    details = {"invoice_id": invoice_id, "attempt_count": attempt_count}
    if locked.status in (Status.ACTIVE, Status.PAST_DUE):
        locked = subscription_transition(
            subscription=locked,
            name="payment_failed",
            actor=actor,
            changes={"failed_payment_count": attempt_count},
            **details,
        )
        if attempt_count >= SUSPEND_AFTER_FAILED_PAYMENTS:
            locked = subscription_transition(
                subscription=locked,
                name="suspend_for_nonpayment",
                actor=actor,
                changes={"suspended_at": timezone.now(), "suspension_reason": "payment_failed"},
                **details,
            )
    else:
        _save_changes(locked, {"failed_payment_count": attempt_count})
    notify(
        organization=locked.organization,
        kind="payment_failed",
        occasion=f"{invoice_id}:{attempt_count}",
        context={
            "attempt_count": attempt_count,
            "invoice_id": invoice_id,
            "suspended": locked.status == Status.SUSPENDED,
        },
    )
    return _copy_onto(subscription, locked)


@transaction.atomic
def subscription_record_payment_succeeded(
    *,
    subscription: Subscription,
    invoice_id: str = "",
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    actor: str = "stripe",
) -> Subscription:
    """Record a paid invoice: reset the failure count, recover a past-due or unpaid-suspended one; return it.

    A suspension an operator made for another reason stays until an operator reactivates.
    """
    locked = _locked(subscription)
    changes: dict = {"failed_payment_count": 0, **_period_changes(locked, period_start, period_end)}
    if invoice_id:
        changes["last_paid_invoice_id"] = invoice_id
    recovers = locked.status == Status.PAST_DUE or (
        locked.status == Status.SUSPENDED and not _suspended_by_operator(locked)
    )
    if recovers:
        changes.update(suspended_at=None, suspension_reason="")
        locked = subscription_transition(
            subscription=locked, name="payment_recovered", actor=actor, changes=changes, invoice_id=invoice_id
        )
    else:
        _save_changes(locked, changes)
    notify(
        organization=locked.organization,
        kind="payment_succeeded",
        occasion=invoice_id,
        context={"invoice_id": invoice_id},
    )
    return _copy_onto(subscription, locked)


def _suspended_by_operator(subscription: Subscription) -> bool:
    """Return whether an operator's "suspend" (not a failed payment or a lapsed trial) put it there."""
    last = subscription.events.filter(to_status=Status.SUSPENDED).exclude(from_status=Status.SUSPENDED).first()
    return last is not None and last.transition == "suspend"
