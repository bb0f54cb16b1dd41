"""The one way a subscription changes: ``subscription_transition``, and the helpers the writes share."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.module_loading import import_string

from subscriptions import catalog
from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.states import target_of

SUSPEND_AFTER_FAILED_PAYMENTS = 3
MAX_TRIAL_EXTENSION_DAYS = 365
MAX_ADD_ON_QUANTITY = 10_000


class BillingRefused(Exception):
    """Billing (Stripe) refused or could not make the change; nothing here changed."""

    def __init__(self, detail: str, code: str = "billing_error"):
        super().__init__(detail)
        self.detail, self.code = detail, code


@transaction.atomic
def subscription_transition(
    *, subscription: Subscription, name: str, actor: str = "system", changes: dict | None = None, **details
) -> Subscription:
    """Move the subscription through the named transition, record it, and return it.

    ``changes`` are further field values saved with the new status. Raise
    ``IllegalTransition`` if the subscription's current status does not allow it.
    """
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
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
    """Write one row of the subscription's history: the move, who made it, and the plan it leaves."""
    return SubscriptionEvent.objects.create(
        subscription=subscription, transition=name, from_status=from_status, to_status=subscription.status,
        actor=str(actor), details={key: _jsonable(value) for key, value in details.items()},
        tier=subscription.tier, billing_cycle=subscription.billing_cycle,
    )


def subscription_is_paid_in_stripe(subscription: Subscription) -> bool:
    """Return whether a live Stripe subscription stands behind this one (changes must go there too)."""
    return bool(subscription.stripe_subscription_id) and subscription.status in (Status.ACTIVE, Status.PAST_DUE)


def _push_to_billing(hook: str, subscription: Subscription, **arguments) -> None:
    """Call billing's hook for a subscription paid through Stripe; its errors propagate and roll back.

    Subscriptions does not import billing: ``settings.SUBSCRIPTIONS_BILLING_HOOKS`` names the
    callables (``change_plan``, ``cancel_at_period_end``), each taking ``organization=`` and keywords.
    """
    path = getattr(settings, "SUBSCRIPTIONS_BILLING_HOOKS", {}).get(hook)
    if not path or not subscription_is_paid_in_stripe(subscription):
        return
    try:
        import_string(path)(organization=subscription.organization, **arguments)
    except Exception as error:
        if not hasattr(error, "detail"):  # a bug, not a refusal: let it surface as one
            raise
        raise BillingRefused(str(error.detail), getattr(error, "code", "billing_error")) from error


def _validate_plan(*, tier: str, billing_cycle: str) -> None:
    errors = {}
    if tier not in catalog.TIERS:
        errors["tier"] = [f"Choose one of: {', '.join(catalog.TIERS)}."]
    if billing_cycle not in catalog.BILLING_CYCLES:
        errors["billing_cycle"] = [f"Choose one of: {', '.join(catalog.BILLING_CYCLES)}."]
    if errors:
        raise ValidationError(errors)


def _locked(subscription: Subscription) -> Subscription:
    return Subscription.objects.select_for_update().select_related("organization").get(pk=subscription.pk)


def _period_changes(subscription: Subscription, start: datetime | None, end: datetime | None) -> dict:
    # A late event must not move the period back.
    if end is None or (subscription.current_period_end and end < subscription.current_period_end):
        return {}
    return {"current_period_start": start or subscription.current_period_start, "current_period_end": end}


def _save_changes(subscription: Subscription, changes: dict, actor: str = "system") -> bool:
    """Save the fields that differ (no status change) and forget entitlements; return whether any did.

    A new tier or cycle is recorded as a "change_plan" event, so the plan's history stays whole.
    """
    changed = {field: value for field, value in changes.items() if getattr(subscription, field) != value}
    for field, value in changed.items():
        setattr(subscription, field, value)
    if changed:
        subscription.save(update_fields=[*changed, "updated_at"])
        _forget_after_commit(subscription)
    if {"tier", "billing_cycle"} & set(changed):
        plan = {key: changed[key] for key in ("tier", "billing_cycle") if key in changed}
        event_record(subscription, "change_plan", from_status=subscription.status, actor=actor, **plan)
    return bool(changed)


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
    return value.isoformat() if isinstance(value, datetime) else value
