"""Writes for subscriptions: the trial, named transitions, plan changes, payments and add-ons.

Every write runs in a transaction on a locked row, records a ``SubscriptionEvent`` through
``subscription_transition`` and drops the cached entitlements after commit. The ones Stripe's
webhooks drive are idempotent and tolerate late or repeated events.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.services import notify
from subscriptions import catalog
from subscriptions.entitlements import active_add_ons, entitlements_forget, limits_with_add_ons
from subscriptions.limits import limits_exceeded
from subscriptions.models import Status, Subscription, SubscriptionAddOn, SubscriptionEvent
from subscriptions.selectors import pending_downgrades_due
from subscriptions.states import IllegalTransition, target_of
from subscriptions.usage import usage_measure
from tenants.models import Organization
from tenants.services import organization_provision

SUSPEND_AFTER_FAILED_PAYMENTS = 3
MAX_TRIAL_EXTENSION_DAYS = 365
MAX_ADD_ON_QUANTITY = 10_000


class BillingRefused(Exception):
    """Billing (Stripe) refused or could not make the change; nothing here changed."""

    def __init__(self, detail: str, code: str = "billing_error"):
        super().__init__(detail)
        self.detail, self.code = detail, code


@transaction.atomic
def organization_create_with_trial(**provision_kwargs) -> Organization:
    """Provision an organisation and open its trial in one transaction; return the organisation."""
    organization = organization_provision(**provision_kwargs)
    subscription_start_trial(organization=organization)
    return organization


@transaction.atomic
def subscription_start_trial(*, organization: Organization) -> Subscription:
    """Open the 14-day Professional trial, welcome the owners after commit, and return the subscription."""
    now = timezone.now()
    ends = now + timedelta(days=catalog.TRIAL_DAYS)
    subscription = Subscription.objects.create(
        organization=organization,
        tier=catalog.TRIAL_TIER,
        status=Status.TRIALING,
        trial_starts_at=now,
        trial_ends_at=ends,
        current_period_start=now,
        current_period_end=ends,
    )
    SubscriptionEvent.objects.create(
        subscription=subscription,
        transition="start_trial",
        from_status=Status.TRIALING,
        to_status=Status.TRIALING,
        details={"tier": catalog.TRIAL_TIER, "days": catalog.TRIAL_DAYS},
    )
    notify(organization=organization, kind="welcome", occasion="trial_started", context={"trial_ends_at": ends})
    return subscription


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
    SubscriptionEvent.objects.create(
        subscription=locked,
        transition=name,
        from_status=source,
        to_status=locked.status,
        actor=str(actor),
        details={key: _jsonable(value) for key, value in details.items()},
    )
    _forget_after_commit(locked)
    return _copy_onto(subscription, locked)


# --- Stripe-driven writes (idempotent, order-tolerant) ---------------------------------------


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
        _save_changes(locked, changes)
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


# --- Cancelling ------------------------------------------------------------------------------


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
    notify(organization=locked.organization, kind="subscription_cancelled", occasion=str(locked.pk), context={})
    return _copy_onto(subscription, locked)


# --- Plan changes ----------------------------------------------------------------------------


@transaction.atomic
def subscription_change_tier(*, subscription: Subscription, tier: str, billing_cycle: str, actor: str) -> Subscription:
    """Move to a bigger tier (or another cycle of the same tier) now; return the subscription.

    A subscription paid through Stripe changes there first (prorated, through billing's
    ``change_plan`` hook); if that fails nothing here changes. During a trial this picks the
    plan the trial runs on and the checkout will charge. Choosing the current plan again
    changes nothing; a smaller tier is a downgrade.
    """
    _validate_plan(tier=tier, billing_cycle=billing_cycle)
    locked = _locked(subscription)
    target_of("change_tier", locked.status)
    current, chosen = catalog.tier(locked.tier), catalog.tier(tier)
    if chosen.rank < current.rank:
        raise ValidationError({"tier": [f"{chosen.name} is smaller than {current.name}: downgrade instead."]})
    if (tier, billing_cycle) == (locked.tier, locked.billing_cycle) and not locked.pending_tier:
        return _copy_onto(subscription, locked)
    _push_to_billing("change_plan", locked, tier=tier, billing_cycle=billing_cycle)
    return subscription_transition(
        subscription=subscription,
        name="change_tier",
        actor=actor,
        changes={"tier": tier, "billing_cycle": billing_cycle, "pending_tier": ""},
        from_tier=locked.tier,
        tier=tier,
        billing_cycle=billing_cycle,
    )


@transaction.atomic
def subscription_schedule_downgrade(*, subscription: Subscription, tier: str, actor: str) -> Subscription:
    """Downgrade to a smaller tier if today's usage fits it; return the subscription.

    A paid plan changes at the end of the period (``pending_tier``); a trial changes now.
    Raise ValidationError on ``tier`` listing everything that exceeds the smaller plan.
    """
    _validate_plan(tier=tier, billing_cycle=catalog.BILLING_CYCLES[0])
    locked = _locked(subscription)
    name = "change_tier" if locked.status == Status.TRIALING else "schedule_downgrade"
    target_of(name, locked.status)
    current, chosen = catalog.tier(locked.tier), catalog.tier(tier)
    if chosen.rank >= current.rank:
        raise ValidationError({"tier": [f"{chosen.name} is not smaller than your {current.name} plan."]})
    limits = limits_with_add_ons(tier, active_add_ons(locked))
    excess = limits_exceeded(usage_measure(locked.organization), limits, chosen.name)
    if excess:
        raise ValidationError({"tier": [violation.message for violation in excess]})
    if name == "change_tier":
        changes = {"tier": tier, "pending_tier": ""}
    elif locked.pending_tier == tier:
        return _copy_onto(subscription, locked)
    else:
        changes = {"pending_tier": tier}
    return subscription_transition(
        subscription=subscription, name=name, actor=actor, changes=changes, from_tier=locked.tier, tier=tier
    )


@transaction.atomic
def subscription_apply_pending_tier(*, subscription: Subscription, actor: str = "system") -> Subscription:
    """Apply a downgrade scheduled for the end of the period (in Stripe first when paid there); return it.

    Without a pending downgrade this changes nothing.
    """
    locked = _locked(subscription)
    if not locked.pending_tier:
        return _copy_onto(subscription, locked)
    target_of("apply_pending_tier", locked.status)
    _push_to_billing("change_plan", locked, tier=locked.pending_tier, billing_cycle=locked.billing_cycle)
    return subscription_transition(
        subscription=subscription,
        name="apply_pending_tier",
        actor=actor,
        changes={"tier": locked.pending_tier, "pending_tier": ""},
        from_tier=locked.tier,
        tier=locked.pending_tier,
    )


def pending_downgrades_apply(*, now: datetime | None = None) -> int:
    """Apply every downgrade whose period has ended, each in its own transaction; return how many changed.

    One that billing refuses stays pending and is tried again on the next run.
    """
    applied = 0
    for subscription in pending_downgrades_due(now=now):
        try:
            subscription_apply_pending_tier(subscription=subscription)
        except BillingRefused:
            continue
        applied += 1
    return applied


# --- Trials and operator actions -------------------------------------------------------------


@transaction.atomic
def subscription_extend_trial(*, subscription: Subscription, days: int, actor: str) -> Subscription:
    """Give a trial ``days`` more, reopening a lapsed (never paid) trial; return the subscription."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TRIAL_EXTENSION_DAYS:
        raise ValidationError({"days": [f"Enter a whole number of days from 1 to {MAX_TRIAL_EXTENSION_DAYS}."]})
    locked = _locked(subscription)
    now = timezone.now()
    if locked.status == Status.SUSPENDED:
        if locked.trial_converted or not locked.trial_starts_at:
            raise IllegalTransition("reopen_trial", locked.status)
        name, ends = "reopen_trial", now + timedelta(days=days)
        changes = {"suspended_at": None, "suspension_reason": ""}
    else:
        name, ends = "extend_trial", max(locked.trial_ends_at or now, now) + timedelta(days=days)
        changes = {}
    changes.update(trial_ends_at=ends, current_period_end=ends)
    return subscription_transition(
        subscription=subscription, name=name, actor=actor, changes=changes, days=days, trial_ends_at=ends
    )


@transaction.atomic
def subscription_expire_trial(*, subscription: Subscription, actor: str = "system") -> Subscription:
    """Suspend a trial that has reached its end unpaid (or cancel it, if the customer asked); return it.

    A trial not yet due, already converted or no longer trialing is left as it is, so the
    daily job may run twice.
    """
    locked = _locked(subscription)
    if not locked.trial_is_over or locked.trial_converted:
        return _copy_onto(subscription, locked)
    if locked.cancel_at_period_end:
        return _copy_onto(subscription, subscription_end(subscription=locked, actor=actor))
    locked = subscription_transition(
        subscription=locked,
        name="expire_trial",
        actor=actor,
        changes={"suspended_at": timezone.now(), "suspension_reason": "trial_expired"},
    )
    notify(
        organization=locked.organization,
        kind="trial_ended",
        occasion=locked.trial_ends_at.isoformat(),
        context={"trial_ends_at": locked.trial_ends_at},
    )
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


# --- Add-ons ---------------------------------------------------------------------------------


@transaction.atomic
def subscription_set_add_on(
    *, subscription: Subscription, kind: str, quantity: int, actor: str
) -> SubscriptionAddOn | None:
    """Set how many units of an add-on the subscription has (0 removes it); return the active add-on."""
    errors = {}
    if kind not in catalog.ADD_ONS:
        errors["kind"] = [f"Choose one of: {', '.join(catalog.ADD_ONS)}."]
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_ADD_ON_QUANTITY:
        errors["quantity"] = [f"Enter a whole number from 0 to {MAX_ADD_ON_QUANTITY}."]
    if errors:
        raise ValidationError(errors)
    locked = _locked(subscription)
    current = locked.add_ons.filter(kind=kind, removed_at__isnull=True).first()
    if (current.quantity if current else 0) == quantity:
        return current
    subscription_transition(
        subscription=locked,
        name="set_add_on",
        actor=actor,
        kind=kind,
        quantity=quantity,
        from_quantity=current.quantity if current else 0,
    )
    if current:
        current.removed_at = timezone.now()
        current.save(update_fields=["removed_at"])
    if not quantity:
        return None
    return SubscriptionAddOn.objects.create(
        subscription=locked,
        kind=kind,
        quantity=quantity,
        unit_price_cents=catalog.ADD_ONS[kind].monthly_cents_per_unit,
    )


# --- Helpers of this module ------------------------------------------------------------------


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


def _suspended_by_operator(subscription: Subscription) -> bool:
    """Return whether an operator's "suspend" (not a failed payment or a lapsed trial) put it there."""
    last = subscription.events.filter(to_status=Status.SUSPENDED).exclude(from_status=Status.SUSPENDED).first()
    return last is not None and last.transition == "suspend"


def _period_changes(subscription: Subscription, start: datetime | None, end: datetime | None) -> dict:
    # A late event must not move the period back.
    if end is None or (subscription.current_period_end and end < subscription.current_period_end):
        return {}
    return {"current_period_start": start or subscription.current_period_start, "current_period_end": end}


def _save_changes(subscription: Subscription, changes: dict) -> bool:
    """Save the fields that differ (no status change) and forget entitlements; return whether any did."""
    changed = {field: value for field, value in changes.items() if getattr(subscription, field) != value}
    for field, value in changed.items():
        setattr(subscription, field, value)
    if changed:
        subscription.save(update_fields=[*changed, "updated_at"])
        _forget_after_commit(subscription)
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
