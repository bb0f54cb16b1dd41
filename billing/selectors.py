"""Reads for billing: invoices, the plan cards, the card on file and usage against limits."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from djstripe.models import Invoice

from billing import gateway
from billing.gateway import BillingError
from billing.models import StorageOverageReport
from billing.plan_timing import AT_PERIOD_END, change_timing
from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute, entitlements_for, gb_over, storage_overage_refusal
from subscriptions.models import Status, Subscription
from subscriptions.usage import usage_measure
from tenants.models import Organization


def invoices_for(organization: Organization) -> QuerySet[Invoice]:
    """Return the organisation's invoices (dj-stripe's copies), newest first; none without a customer."""
    customer_id = organization.subscription.stripe_customer_id
    if not customer_id:
        return Invoice.objects.none()
    return Invoice.objects.filter(customer_id=customer_id).order_by("-created", "-djstripe_id")


def moment(timestamp: int | None) -> datetime | None:
    """Return a Stripe timestamp (seconds) as an aware datetime, or None."""
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def invoice_summary(invoice: Invoice) -> dict:
    """Return what a customer needs to know about an invoice, amounts in cents."""
    data = invoice.stripe_data
    return {
        "id": invoice.id,
        "number": data.get("number") or "",
        "amount_cents": int(data.get("total") or data.get("amount_due") or 0),
        "tax_cents": invoice_tax_cents(data),
        "currency": data.get("currency") or catalog.CURRENCY,
        "status": data.get("status") or "",
        "period_start": moment(data.get("period_start")),
        "period_end": moment(data.get("period_end")),
        "pdf_url": data.get("invoice_pdf") or "",
        "hosted_url": data.get("hosted_invoice_url") or "",
        "created": invoice.created,
        "discount_cents": sum(int(d.get("amount") or 0) for d in data.get("total_discount_amounts") or []),
    }


def invoice_tax_cents(data: dict) -> int:
    """Return the tax on a Stripe invoice: its ``total_taxes`` (2025-03-31.basil on), else its ``tax``."""
    if data.get("total_taxes") is not None:
        return sum(int(tax.get("amount") or 0) for tax in data["total_taxes"])
    return int(data.get("tax") or 0)


def usage_against_limits(organization: Organization, *, usage=None) -> list[dict]:
    """Return users, plants and storage used against the plan's limits (add-ons included); ``usage``: a
    measurement the caller already made."""
    limits = entitlements_for(organization).limits
    usage = usage or usage_measure(organization)
    rows = [
        ("Users", usage.users, limits.users, ""),
        ("Plants", usage.plants, limits.plants, ""),
        ("Storage", round(usage.storage_bytes / catalog.GB, 2), limits.storage_gb, " GB"),
    ]
    return [
        {
            "name": name,
            "used": used,
            "limit": limit,
            "unit": unit,
            "percent": None if not limit else min(100, round(100 * used / limit)),
        }
        for name, used, limit, unit in rows
    ]


def billing_details(subscription: Subscription) -> dict | None:
    """Return the card, billing address and tax IDs Stripe has (see ``gateway.customer_billing_details``), None
    without a customer, or ``{"unavailable": True}`` when Stripe cannot be asked now."""
    if not subscription.stripe_customer_id:
        return None
    try:
        return gateway.customer_billing_details(subscription.stripe_customer_id)
    except BillingError:
        return {"unavailable": True}


def next_invoice_on(subscription: Subscription) -> datetime | None:
    """Return when Stripe bills next: the trial's end with a card on file, else the period's end; None if never."""
    if subscription.cancel_at_period_end or subscription.status not in (Status.TRIALING, Status.ACTIVE,
                                                                       Status.PAST_DUE):
        return None
    if not subscription.stripe_subscription_id:
        return None
    if subscription.status == Status.TRIALING:
        return subscription.trial_ends_at
    return subscription.current_period_end


def monthly_list_price_cents(tier_key: str, add_ons: dict[str, int], currency: str = catalog.CURRENCY) -> int:
    """Return the catalog's monthly price of the tier with these add-ons in ``currency`` (where the stepper
    totals start from)."""
    return catalog.tier(tier_key).price_cents("monthly", currency) + sum(
        catalog.ADD_ONS[kind].cents_per_unit(currency) * quantity for kind, quantity in add_ons.items())


def _offer(subscription: Subscription, tier: catalog.Tier, cycle: str, add_ons: dict[str, int],
           paying: bool) -> dict:
    """Return the one action a plan card offers on ``cycle``: its kind and its words."""
    if not paying:
        return {"kind": "choose", "label": f"Choose {tier.name}"}
    pending = subscription.pending_plan or {}
    if (pending.get("tier"), pending.get("billing_cycle")) == (tier.key, cycle):
        starts = parse_datetime(pending.get("starts_at") or "")
        return {"kind": "scheduled", "label": f"Starts {starts:%-d %b %Y}" if starts else "Scheduled"}
    current = (subscription.tier, subscription.billing_cycle, add_ons)
    if (tier.key, cycle) == current[:2]:
        return {"kind": "current", "label": "Current plan"}
    timing = change_timing(current, (tier.key, cycle, add_ons if cycle == "monthly" else {}))
    later = timing == AT_PERIOD_END and subscription.status != Status.TRIALING
    rank, current_rank = tier.rank, catalog.tier(subscription.tier).rank
    if rank > current_rank:
        return {"kind": "upgrade", "label": "Upgrade at renewal" if later else "Upgrade"}
    if rank < current_rank:
        return {"kind": "downgrade", "label": "Downgrade at period end" if later else "Downgrade"}
    return {"kind": "switch", "label": f"Switch to {cycle}{' at renewal' if later else ''}"}


def plan_cards(subscription: Subscription, add_ons: dict[str, int], *, paying: bool) -> list[dict]:
    """Return each tier with its limits and features and, per billing cycle, its price and one action.

    ``add_ons`` are the active ones: a monthly card keeps them; an annual one drops them (add-ons are
    billed monthly). ``paying`` says a live Stripe subscription stands behind the workspace; without
    one every card's action is to choose it (through Checkout).
    """
    return [
        {
            "tier": tier,
            "is_current": tier.key == subscription.tier,
            "features": [catalog.feature(key).name for key in tier.features],
            "offers": [
                {"cycle": cycle, "price_cents": tier.price_cents(cycle, subscription.currency),
                 "saving_cents": tier.price_cents("monthly", subscription.currency) * 12
                 - tier.price_cents("annual", subscription.currency),
                 "add_ons": add_ons if cycle == "monthly" else {},
                 **_offer(subscription, tier, cycle, add_ons, paying)}
                for cycle in catalog.BILLING_CYCLES
            ],
        }
        for tier in catalog.TIERS.values()
    ]


def storage_overage(organization: Organization, *, subscription=None, entitlements=None, usage=None) -> dict:
    """Return the workspace's storage overage as the billing page shows it, amounts in cents.

    ``enabled``: the owner opted in; ``active``: uploads past the limit are allowed now (Stripe bills
    them); ``available``/``refusal``: whether it can opt in, and why not; ``gb_over_now``: GB past the
    limit today; ``peak_gb``: the period's peak, which is what it pays; ``accrued_cents`` that peak at
    ``cents_per_gb_month``; ``period_end``: when Stripe bills it. A page that has read the subscription,
    its entitlements or the usage already passes them in; else they are read here.
    """
    subscription = subscription or Subscription.objects.get(organization=organization)
    entitlements = entitlements or entitlements_compute(subscription)
    price = catalog.STORAGE_OVERAGE.cents_in(subscription.currency)
    report = None
    # A report exists only where the metered item was added; it stays billed after an opt-out mid-period.
    if subscription.current_period_start and subscription.storage_overage_item_id:
        report = StorageOverageReport.objects.filter(
            subscription=subscription, period_start=subscription.current_period_start).first()
    peak = report.reported_gb if report else 0
    refusal = storage_overage_refusal(subscription)
    used = (usage or usage_measure(organization)).storage_bytes
    return {
        "enabled": subscription.storage_overage_enabled,
        "active": entitlements.storage_overage,
        "available": not refusal,
        "refusal": refusal,
        "limit_gb": entitlements.limits.storage_gb,
        "used_gb": round(used / catalog.GB, 2),
        "gb_over_now": gb_over(used, entitlements.limits.storage_gb),
        "peak_gb": peak,
        "cents_per_gb_month": price,
        "accrued_cents": peak * price,
        "currency": subscription.currency,
        "unit": catalog.STORAGE_OVERAGE.unit,
        "period_end": subscription.current_period_end,
    }
