"""Bring a subscription in line with what the billing provider (Stripe) says it is.

Billing reads Stripe's subscription and hands it over as a ``BillingState``; this is the only
write that moves the billing status, tier, cycle, add-ons, period and MRR of a subscription
Stripe runs. It compares with the row, so the same state twice changes nothing, and an older
state read late is Stripe's current one (billing always reads the object afresh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from subscriptions import catalog
from subscriptions.entitlements import active_add_ons
from subscriptions.models import Status, Subscription, SubscriptionAddOn
from subscriptions.services.core import (
    LIVE_IN_STRIPE,
    _copy_onto,
    _forget_after_commit,
    _locked,
    event_record,
    subscription_is_in_stripe,
    subscription_transition,
)
from subscriptions.states import transition_between


@dataclass(frozen=True)
class BillingState:
    """A Stripe subscription as our statuses and catalog see it."""

    stripe_subscription_id: str
    status: str  # one of ours: trialing, active, past_due, suspended (Stripe's unpaid), cancelled
    tier: str
    billing_cycle: str
    add_ons: dict[str, int] = field(default_factory=dict)
    mrr_cents: int = 0
    period_start: datetime | None = None
    period_end: datetime | None = None
    trial_end: datetime | None = None
    cancel_at_period_end: bool = False
    pending_plan: dict = field(default_factory=dict)
    storage_overage_item_id: str = ""  # the metered item that bills storage past the limit, if any
    discount: dict = field(default_factory=dict)  # as Subscription.discount
    currency: str = ""  # what Stripe bills it in; mrr_cents is in this currency


@dataclass(frozen=True)
class MirrorResult:
    subscription: Subscription
    outcome: str  # "applied", "unchanged", "duplicate" (another live subscription: flagged), "stale"
    detail: str


@transaction.atomic
def subscription_mirror(*, subscription: Subscription, state: BillingState, actor: str = "stripe") -> MirrorResult:
    """Make the subscription what ``state`` says Stripe bills; return what happened.

    A second live Stripe subscription of the customer is flagged (``extra_stripe_subscription_ids``)
    and not mirrored, so it is never counted twice; an ended one that is not ours changes nothing.
    """
    locked = _locked(subscription)
    ours = locked.stripe_subscription_id
    if ours and ours != state.stripe_subscription_id:
        other = _other_subscription(locked, state)
        if other is not None:
            return MirrorResult(_copy_onto(subscription, locked), *other)
    if state.tier not in catalog.TIERS or state.billing_cycle not in catalog.BILLING_CYCLES \
            or (state.currency or catalog.CURRENCY) not in catalog.CURRENCIES:
        return MirrorResult(_copy_onto(subscription, locked), "unchanged",
                            f"Stripe subscription {state.stripe_subscription_id} has no plan from our catalog.")
    before = _snapshot(locked)
    changes = _changes_for(locked, state)
    status_changed = state.status != locked.status
    name = None
    if status_changed:
        name = transition_between(locked.status, state.status, suspension_reason=locked.suspension_reason)
        changes.update(_status_changes(locked, state.status, trial_end=state.trial_end))
        locked = subscription_transition(subscription=locked, name=name, actor=actor, changes=changes,
                                         stripe_subscription_id=state.stripe_subscription_id)
    else:
        _save(locked, changes)
    added = _add_ons_mirror(locked, state.add_ons)
    after = _snapshot(locked)
    if not status_changed and (after != before or added):
        name = _name_for_change(before, after, added)
        if name:
            event_record(locked, name, from_status=locked.status, actor=actor,
                         stripe_subscription_id=state.stripe_subscription_id, add_ons=state.add_ons,
                         pending_plan=state.pending_plan, cancel_at_period_end=state.cancel_at_period_end)
    outcome = "applied" if after != before or added else "unchanged"
    moved = f"{before[0]} → {after[0]}" if before[0] != after[0] else f"stays {after[0]}"
    detail = f"{name or 'no change'}: {moved}, {after[1]} ({after[2]}), {after[3]} cents MRR."
    return MirrorResult(_copy_onto(subscription, locked), outcome, detail)


def _other_subscription(locked: Subscription, state: BillingState) -> tuple[str, str] | None:
    """Handle the state of a Stripe subscription other than ours; return None when it becomes ours."""
    other, extra = state.stripe_subscription_id, list(locked.extra_stripe_subscription_ids)
    live = state.status in LIVE_IN_STRIPE
    if not live or not subscription_is_in_stripe(locked):
        _save(locked, {"extra_stripe_subscription_ids": [i for i in extra if i != other]})
        if live:
            return None  # ours has ended: the new live one becomes ours
        return "stale", f"Stripe subscription {other} is not the organisation's current one."
    _save(locked, {"extra_stripe_subscription_ids": extra if other in extra else [*extra, other]})
    return "duplicate", (f"Stripe subscription {other} is a second live subscription of this customer: "
                         "flagged for operators, not counted.")


def _changes_for(locked: Subscription, state: BillingState) -> dict:
    currency = state.currency or catalog.CURRENCY
    mrr = state.mrr_cents if state.status in (Status.ACTIVE, Status.PAST_DUE) else 0
    changes = {
        "stripe_subscription_id": state.stripe_subscription_id,
        "tier": state.tier,
        "billing_cycle": state.billing_cycle,
        "currency": currency,  # Stripe bills the customer in it from now on
        "currency_fixed": True,
        "mrr_native_cents": mrr,
        "mrr_cents": catalog.usd_cents(mrr, currency),
        "cancel_at_period_end": state.cancel_at_period_end and state.status != Status.CANCELLED,
        "pending_plan": state.pending_plan if state.status != Status.CANCELLED else {},
        "checkout_session_id": "",
        "checkout_plan": {},
        "storage_overage_item_id": state.storage_overage_item_id,
        "discount": state.discount if state.status != Status.CANCELLED else {},
    }
    if not state.storage_overage_item_id:
        changes["storage_overage_enabled"] = False  # Stripe no longer bills it: the hard limit is back
    if state.period_end:
        changes.update(current_period_start=state.period_start, current_period_end=state.period_end)
    if state.status == Status.TRIALING and state.trial_end:
        changes["trial_ends_at"] = state.trial_end
    return changes


def _status_changes(locked: Subscription, target: str, *, trial_end: datetime | None) -> dict:
    now = timezone.now()
    changes: dict = {}
    if locked.status == Status.TRIALING and target != Status.TRIALING and locked.trial_ends_at:
        # The trial ended when Stripe ended it (at checkout, or early for a bigger tier), not on its planned date.
        changes["trial_ends_at"] = min(locked.trial_ends_at, trial_end or now)
    if target == Status.ACTIVE:
        changes.update(suspended_at=None, suspension_reason="", failed_payment_count=0)
        if locked.trial_starts_at and not locked.trial_converted:
            changes.update(trial_converted=True, converted_at=now)
    elif target == Status.SUSPENDED:
        changes.update(suspended_at=now, suspension_reason="payment_failed")
    elif target == Status.CANCELLED:
        changes["cancelled_at"] = now  # its cancel flag and pending change are cleared by _changes_for
    elif target == Status.TRIALING:
        changes.update(suspended_at=None, suspension_reason="")
    return changes


def _save(subscription: Subscription, changes: dict) -> bool:
    changed = {key: value for key, value in changes.items() if getattr(subscription, key) != value}
    for key, value in changed.items():
        setattr(subscription, key, value)
    if changed:
        subscription.save(update_fields=[*changed, "updated_at"])
        _forget_after_commit(subscription)
    return bool(changed)


def _snapshot(subscription: Subscription) -> tuple:
    return (subscription.status, subscription.tier, subscription.billing_cycle, subscription.mrr_cents,
            subscription.cancel_at_period_end, subscription.pending_plan, subscription.stripe_subscription_id,
            subscription.trial_ends_at)


def _name_for_change(before: tuple, after: tuple, add_ons_changed: bool) -> str | None:
    """Return the named change a status-keeping mirror made, or None for bookkeeping only."""
    if before[6] != after[6] and after[0] == Status.TRIALING:
        return "start_paid_trial"  # checkout done: Stripe runs the rest of the trial, card on file
    if before[1:4] != after[1:4] or add_ons_changed:
        return "change_plan"
    if before[4] != after[4]:
        return "schedule_cancel" if after[4] else "resume"
    if before[5] != after[5]:
        return "schedule_change" if after[5] else "unschedule_change"
    if before[7] != after[7] and after[0] == Status.TRIALING:
        return "set_trial_end"  # Stripe's trial ends on another day (an operator's deal)
    return None


def _add_ons_mirror(subscription: Subscription, wanted: dict[str, int]) -> bool:
    """Make the active add-on rows match ``wanted``; return whether any changed."""
    current = dict(active_add_ons(subscription))
    if current == {kind: quantity for kind, quantity in wanted.items() if quantity}:
        return False
    now = timezone.now()
    for kind in catalog.ADD_ONS:
        if current.get(kind, 0) == wanted.get(kind, 0):
            continue
        subscription.add_ons.filter(kind=kind, removed_at__isnull=True).update(removed_at=now)
        if wanted.get(kind):
            SubscriptionAddOn.objects.create(subscription=subscription, kind=kind, quantity=wanted[kind],
                                             unit_price_cents=catalog.ADD_ONS[kind].cents_per_unit(subscription.currency),
                                             created_at=now)
    _forget_after_commit(subscription)
    return True
