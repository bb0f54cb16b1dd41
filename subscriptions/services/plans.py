"""Writes that change the plan: upgrades now, downgrades at period end, add-ons."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from subscriptions import catalog
from subscriptions.entitlements import active_add_ons, limits_with_add_ons
from subscriptions.limits import limits_exceeded
from subscriptions.models import Status, Subscription, SubscriptionAddOn
from subscriptions.selectors import pending_downgrades_due
from subscriptions.services.core import (
    MAX_ADD_ON_QUANTITY,
    BillingRefused,
    _copy_onto,
    _locked,
    _push_to_billing,
    _validate_plan,
    subscription_transition,
)
from subscriptions.states import target_of
from subscriptions.usage import usage_measure


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
