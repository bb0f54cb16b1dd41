"""Writes that end, pause or restore a subscription: cancel, resume, end, suspend, reactivate."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.services import notify
from subscriptions.models import Status, Subscription
from subscriptions.services.core import (
    _copy_onto,
    _locked,
    _push_to_billing,
    subscription_is_paid_in_stripe,
    subscription_transition,
)
from subscriptions.states import target_of


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, actor: str, at_period_end: bool = True) -> Subscription:
    """Cancel at the end of the paid period (or trial), or now; return the subscription.

    A suspended subscription has no running period, so it ends now.
    """
    locked = _locked(subscription)
    if not at_period_end or locked.status == Status.SUSPENDED:
        return _copy_onto(subscription, subscription_end(subscription=locked, actor=actor))
    if locked.cancel_at_period_end:
        return _copy_onto(subscription, locked)
    return subscription_transition(
        subscription=subscription, name="schedule_cancel", actor=actor, changes={"cancel_at_period_end": True}
    )


@transaction.atomic
def subscription_cancel_by_customer(
    *, subscription: Subscription, actor: str, at_period_end: bool = True
) -> Subscription:
    """Cancel as the customer asked; a subscription paid through Stripe is told first. Return it.

    A paid period is never cut short: Stripe ends it at the period end, and so do we.
    """
    locked = _locked(subscription)
    if subscription_is_paid_in_stripe(locked):
        if not at_period_end:
            raise ValidationError(
                {"at_period_end": ["A paid subscription ends at the end of the period you paid for."]}
            )
        if not locked.cancel_at_period_end:
            _push_to_billing("cancel_at_period_end", locked, cancel=True)
    return _copy_onto(subscription, subscription_cancel(subscription=locked, actor=actor, at_period_end=at_period_end))


@transaction.atomic
def subscription_resume(*, subscription: Subscription, actor: str) -> Subscription:
    """Take back a cancellation scheduled for the end of the period; return the subscription."""
    locked = _locked(subscription)
    if not locked.cancel_at_period_end:
        target_of("resume", locked.status)
        return _copy_onto(subscription, locked)
    return subscription_transition(
        subscription=subscription, name="resume", actor=actor, changes={"cancel_at_period_end": False}
    )


@transaction.atomic
def subscription_end(*, subscription: Subscription, actor: str) -> Subscription:
    """End the subscription now ("cancel"): the period is over, or Stripe deleted it. Return it."""
    locked = _locked(subscription)
    if locked.status == Status.CANCELLED:
        return _copy_onto(subscription, locked)
    locked = subscription_transition(
        subscription=locked,
        name="cancel",
        actor=actor,
        changes={"cancelled_at": timezone.now(), "cancel_at_period_end": False, "pending_tier": ""},
    )
    # Each cancellation is its own occasion: one who resubscribes and cancels again hears of it again.
    notify(organization=locked.organization, kind="subscription_cancelled",
           occasion=f"{locked.pk}:{locked.cancelled_at.isoformat()}", context={})
    return _copy_onto(subscription, locked)


@transaction.atomic
def subscription_suspend(*, subscription: Subscription, reason: str, actor: str) -> Subscription:
    """Suspend the subscription (read-only from now) for the reason given; return it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Give a reason for the suspension."]})
    return subscription_transition(
        subscription=subscription,
        name="suspend",
        actor=actor,
        changes={"suspended_at": timezone.now(), "suspension_reason": reason.strip()},
        reason=reason.strip(),
    )


@transaction.atomic
def subscription_reactivate(*, subscription: Subscription, actor: str) -> Subscription:
    """Make a past-due or suspended subscription active again; return it."""
    return subscription_transition(
        subscription=subscription,
        name="reactivate",
        actor=actor,
        changes={"failed_payment_count": 0, "suspended_at": None, "suspension_reason": ""},
    )
