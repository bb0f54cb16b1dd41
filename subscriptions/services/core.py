"""The one way a subscription changes: ``subscription_transition``, and the helpers the writes share."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from subscriptions import catalog
from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.states import target_of

MAX_TRIAL_EXTENSION_DAYS = 365
MAX_ADD_ON_QUANTITY = 1000
LIVE_IN_STRIPE = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)


@transaction.atomic
def subscription_transition(
    *, subscription: Subscription, name: str, actor: str = "system", changes: dict | None = None, **details
) -> Subscription:
    """Move the subscription through the named transition, record it, and return it.

    ``changes`` are further field values saved with the new status. Raise
    ``IllegalTransition`` if the subscription's current status does not allow it.
    """
    locked = _locked(subscription)
    source = locked.status
    locked.status = target_of(name, source)
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    locked.save()
    event_record(locked, name, from_status=source, actor=actor, **details)
    _forget_after_commit(locked)
    return _copy_onto(subscription, locked)


def event_record(subscription: Subscription, name: str, *, from_status: str, actor: str = "system",
                 **details) -> SubscriptionEvent:
    """Write one row of the (append-only) history: the move, who made it, the plan and the MRR after it."""
    return SubscriptionEvent.objects.create(
        subscription=subscription, transition=name, from_status=from_status, to_status=subscription.status,
        actor=str(actor), details={key: _jsonable(value) for key, value in details.items()},
        tier=subscription.tier, billing_cycle=subscription.billing_cycle, mrr_cents=subscription.mrr_cents,
    )


def extension_days_validate(days, *, most: int = MAX_TRIAL_EXTENSION_DAYS) -> int:
    """Return ``days`` if it is a whole number from 1 to ``most``; else raise ValidationError keyed ``days``."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= most:
        raise ValidationError({"days": [f"Enter a whole number of days from 1 to {most}."]})
    return days


def subscription_is_in_stripe(subscription: Subscription) -> bool:
    """Return whether a live Stripe subscription stands behind this one (plan changes must go there)."""
    return bool(subscription.stripe_subscription_id) and subscription.status in LIVE_IN_STRIPE


def plan_validate(*, tier: str, billing_cycle: str, add_ons: dict[str, int] | None = None) -> None:
    """Raise ValidationError, keyed by field, unless the plan can be bought."""
    errors = {}
    if tier not in catalog.TIERS:
        errors["tier"] = [f"Choose one of: {', '.join(catalog.TIERS)}."]
    if billing_cycle not in catalog.BILLING_CYCLES:
        errors["billing_cycle"] = [f"Choose one of: {', '.join(catalog.BILLING_CYCLES)}."]
    add_ons = add_ons or {}
    unknown = sorted(set(add_ons) - set(catalog.ADD_ONS))
    if unknown:
        errors["add_ons"] = [f"Unknown add-on {', '.join(unknown)}; choose from {', '.join(catalog.ADD_ONS)}."]
    elif any(isinstance(q, bool) or not isinstance(q, int) or not 0 <= q <= MAX_ADD_ON_QUANTITY
             for q in add_ons.values()):
        errors["add_ons"] = [f"Each add-on quantity must be a whole number from 0 to {MAX_ADD_ON_QUANTITY}."]
    elif billing_cycle == "annual" and any(add_ons.values()):
        errors["add_ons"] = ["Add-ons are billed monthly: choose the monthly cycle to add them."]
    if errors:
        raise ValidationError(errors)


def _locked(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().select_related("organization").get(pk=subscription.pk)


def _forget_after_commit(subscription: Subscription) -> None:
    organization = subscription.organization
    transaction.on_commit(lambda: entitlements_forget(organization))


def _copy_onto(target: Subscription, source: Subscription) -> Subscription:
    """Bring the caller's instance up to date with the saved row, so no one holds a stale copy."""
    if target is not source:
        for field in Subscription._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))
    return target


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value.isoformat() if isinstance(value, datetime) else value
