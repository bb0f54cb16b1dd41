"""Writes that end or pause a subscription, or give it free: cancel, resume, end, hold, comp.

A hold and a comp are an operator's, beside the billing status and never inside it: a hold keeps
the workspace read-only whatever Stripe says until it is lifted; a comp gives a tier free (0 MRR).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.services import notify
from subscriptions import catalog
from subscriptions.models import Status, Subscription
from subscriptions.services.core import _copy_onto, _locked, subscription_is_in_stripe, subscription_transition
from subscriptions.states import target_of
from unison.errors import ApplicationError


class StripeOwnsIt(ApplicationError):
    """The change belongs to the live Stripe subscription: it must be made there (through billing)."""

    code = "billing_owns_it"
    status = 409


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, actor: str, at_period_end: bool = True) -> Subscription:
    """Cancel a subscription Stripe does not run (a trial without a card): at its end, or now. Return it.

    A suspended subscription has no running period, so it ends now.
    """
    locked = _locked(subscription)
    if subscription_is_in_stripe(locked):
        raise StripeOwnsIt("This subscription is billed by Stripe: cancel it through billing.")
    if not at_period_end or locked.status == Status.SUSPENDED:
        return _copy_onto(subscription, subscription_end(subscription=locked, actor=actor))
    if locked.cancel_at_period_end:
        return _copy_onto(subscription, locked)
    return subscription_transition(
        subscription=subscription, name="schedule_cancel", actor=actor, changes={"cancel_at_period_end": True}
    )


@transaction.atomic
def subscription_resume(*, subscription: Subscription, actor: str) -> Subscription:
    """Take back a cancellation of a trial without a card; return the subscription."""
    locked = _locked(subscription)
    if subscription_is_in_stripe(locked):
        raise StripeOwnsIt("This subscription is billed by Stripe: resume it through billing.")
    if not locked.cancel_at_period_end:
        target_of("resume", locked.status)
        return _copy_onto(subscription, locked)
    return subscription_transition(
        subscription=subscription, name="resume", actor=actor, changes={"cancel_at_period_end": False}
    )


@transaction.atomic
def subscription_end(*, subscription: Subscription, actor: str) -> Subscription:
    """End a subscription Stripe does not run, now ("cancel"); return it."""
    locked = _locked(subscription)
    if locked.status == Status.CANCELLED:
        return _copy_onto(subscription, locked)
    locked = subscription_transition(
        subscription=locked,
        name="cancel",
        actor=actor,
        changes={"cancelled_at": timezone.now(), "cancel_at_period_end": False, "pending_plan": {},
                 "mrr_cents": 0},
    )
    subscription_cancelled_notify(locked)
    return _copy_onto(subscription, locked)


def subscription_cancelled_notify(subscription: Subscription) -> None:
    """Tell the owners the subscription has ended (each cancellation is its own occasion)."""
    notify(organization=subscription.organization, kind="subscription_cancelled",
           occasion=f"{subscription.pk}:{(subscription.cancelled_at or timezone.now()).isoformat()}", context={})


@transaction.atomic
def subscription_hold(*, subscription: Subscription, reason: str, actor: str) -> Subscription:
    """Put the operator's hold on: read-only from now, whatever billing says; return the subscription."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give a reason for the suspension."]})
    locked = _locked(subscription)
    if locked.is_held:
        raise ApplicationError("This workspace is already suspended by an operator.", code="already_held",
                               status=409, field="status")
    return subscription_transition(subscription=subscription, name="hold", actor=actor,
                                   changes={"held_at": timezone.now(), "hold_reason": reason}, reason=reason)


@transaction.atomic
def subscription_release_hold(*, subscription: Subscription, actor: str) -> Subscription:
    """Lift the operator's hold: the workspace is again what its billing status (and comp) say. Return it."""
    locked = _locked(subscription)
    if not locked.is_held:
        raise ApplicationError("This workspace is not suspended by an operator: there is no hold to lift.",
                               code="not_held", status=409, field="status")
    return subscription_transition(subscription=subscription, name="release_hold", actor=actor,
                                   changes={"held_at": None, "hold_reason": ""}, reason=locked.hold_reason)


@transaction.atomic
def subscription_comp(*, subscription: Subscription, tier: str, reason: str, actor: str) -> Subscription:
    """Give the workspace ``tier`` free, beside what Stripe bills (it counts 0 MRR); return it."""
    errors = {}
    if tier not in catalog.TIERS:
        errors["tier"] = [f"Choose one of: {', '.join(catalog.TIERS)}."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why this plan is given free."]
    if errors:
        raise ValidationError(errors)
    locked = _locked(subscription)
    if locked.comp_tier == tier:
        return _copy_onto(subscription, locked)
    return subscription_transition(
        subscription=subscription, name="comp", actor=actor,
        changes={"comp_tier": tier, "comp_reason": reason.strip(), "comped_at": timezone.now()},
        comp_tier=tier, from_comp_tier=locked.comp_tier, reason=reason.strip(),
    )


@transaction.atomic
def subscription_end_comp(*, subscription: Subscription, actor: str) -> Subscription:
    """End the free plan: the workspace is again what Stripe bills; return it."""
    locked = _locked(subscription)
    if not locked.comp_tier:
        raise ApplicationError("This workspace has no free plan to end.", code="not_comped", status=409,
                               field="comp_tier")
    return subscription_transition(subscription=subscription, name="end_comp", actor=actor,
                                   changes={"comp_tier": "", "comp_reason": "", "comped_at": None},
                                   comp_tier=locked.comp_tier)
