"""Reads for subscriptions: the subscription, its usage against limits, and what exceeds them."""

from __future__ import annotations

from django.utils import timezone

from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute, entitlements_for
from subscriptions.limits import Violation, limits_exceeded, upgrade_url
from subscriptions.models import Subscription
from subscriptions.usage import Usage, usage_measure
from unison.errors import ApplicationError


class NoSubscription(ApplicationError):
    code = "no_subscription"
    status = 404


def subscription_for_org(organization) -> Subscription:
    """Return the organisation's subscription; raise NoSubscription (a 404) if it has none."""
    found = Subscription.objects.select_related("organization").filter(organization=organization).first()
    if found is None:
        raise NoSubscription("This workspace has no subscription.")
    return found


def usage_percentages(usage: Usage, limits: catalog.Limits) -> dict[str, float | None]:
    """Return each resource's use as a percentage of its limit (one decimal), None when unlimited."""

    def percent(used: int, limit: int | None) -> float | None:
        if limit is None:
            return None
        if limit == 0:
            return 100.0 if used else 0.0
        return round(100 * used / limit, 1)

    return {
        "users": percent(usage.users, limits.users),
        "plants": percent(usage.plants, limits.plants),
        "storage_bytes": percent(usage.storage_bytes, limits.storage_bytes),
    }


def limit_violations(organization, usage: Usage | None = None) -> list[Violation]:
    """Return what the organisation uses beyond its plan (add-ons included), measured now unless given."""
    entitlements = entitlements_for(organization)
    if not entitlements.tier:  # no subscription: no plan to exceed
        return []
    usage = usage or usage_measure(organization)
    return limits_exceeded(usage, entitlements.limits, catalog.tier(entitlements.tier).name)


def usage_summary(organization) -> dict:
    """Return usage measured now against the plan's limits: used, limit and percent per resource.

    Raise Subscription.DoesNotExist for an organisation without a subscription.
    """
    subscription = subscription_for_org(organization)
    usage = usage_measure(organization)
    limits = entitlements_compute(subscription).limits
    percentages = usage_percentages(usage, limits)
    allowed = {"users": limits.users, "plants": limits.plants, "storage_bytes": limits.storage_bytes}
    return {
        **{
            resource: {"used": getattr(usage, resource), "limit": allowed[resource], "percent": percentages[resource]}
            for resource in ("users", "plants", "storage_bytes")
        },
        "violations": [v.__dict__ for v in limits_exceeded(usage, limits, subscription.plan.name)],
        "measured_at": timezone.now(),
        "upgrade_url": upgrade_url(),
    }


def subscription_overview(organization) -> dict:
    """Return what the subscription API shows: plan, status, trial, period, features, limits and add-ons."""
    subscription = subscription_for_org(organization)
    entitlements = entitlements_compute(subscription)  # fresh: this often answers a change just made
    plan = subscription.plan
    return {
        "tier": plan.key,
        "tier_name": plan.name,
        "status": subscription.status,
        "access_status": entitlements.status,
        "billing_cycle": subscription.billing_cycle,
        "price_cents": plan.price_cents(subscription.billing_cycle, subscription.currency),
        "currency": subscription.currency,
        "read_only": entitlements.read_only,
        "trial_starts_at": subscription.trial_starts_at,
        "trial_ends_at": subscription.trial_ends_at,
        "days_left_in_trial": subscription.days_left_in_trial,
        "trial_converted": subscription.trial_converted,
        "current_period_start": subscription.current_period_start,
        "current_period_end": subscription.current_period_end,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "pending_plan": subscription.pending_plan,
        "held": entitlements.held,
        "hold_reason": subscription.hold_reason,
        "comp_tier": subscription.comp_tier,
        "entitled_tier": entitlements.tier,
        "failed_payment_count": subscription.failed_payment_count,
        "features": sorted(entitlements.features),
        "limits": {
            "users": entitlements.limits.users,
            "plants": entitlements.limits.plants,
            "storage_bytes": entitlements.limits.storage_bytes,
        },
        "add_ons": [
            {"kind": a.kind, "quantity": a.quantity, "unit_price_cents": a.unit_price_cents}
            for a in subscription.add_ons.filter(removed_at__isnull=True).order_by("kind")
        ],
        "upgrade_url": upgrade_url(),
    }


def trial_extension_for(organization):
    """Return the organisation's request for more trial days, or None if it has not asked."""
    from subscriptions.models import TrialExtensionRequest

    return TrialExtensionRequest.objects.filter(organization=organization).first()
