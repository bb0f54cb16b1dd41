"""Reads for billing: invoices, the plan comparison and usage against limits."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import QuerySet
from djstripe.models import Invoice

from billing.models import StorageOverageReport
from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute, entitlements_for, gb_over, storage_overage_refusal
from subscriptions.models import Subscription
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
        "currency": data.get("currency") or catalog.CURRENCY,
        "status": data.get("status") or "",
        "period_start": moment(data.get("period_start")),
        "period_end": moment(data.get("period_end")),
        "pdf_url": data.get("invoice_pdf") or "",
        "hosted_url": data.get("hosted_invoice_url") or "",
        "created": invoice.created,
    }


def usage_against_limits(organization: Organization) -> list[dict]:
    """Return users, plants and storage used against the plan's limits (add-ons included)."""
    limits = entitlements_for(organization).limits
    usage = usage_measure(organization)
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


def tier_comparison(current_tier: str) -> list[dict]:
    """Return each tier with its prices, limits and features, marked current / upgrade / downgrade."""
    current_rank = catalog.tier(current_tier).rank
    return [
        {
            "tier": tier,
            "is_current": tier.key == current_tier,
            "direction": "current" if tier.rank == current_rank else ("upgrade" if tier.rank > current_rank
                                                                      else "downgrade"),
            "features": [catalog.feature(key).name for key in tier.features],
        }
        for tier in catalog.TIERS.values()
    ]


def storage_overage(organization: Organization) -> dict:
    """Return the workspace's storage overage as the billing page shows it, amounts in cents.

    ``enabled``: the owner opted in; ``active``: uploads past the limit are allowed now (Stripe bills
    them); ``available``/``refusal``: whether it can opt in, and why not; ``gb_over_now``: GB past the
    limit today; ``peak_gb``: the period's peak, which is what it pays; ``accrued_cents`` that peak at
    ``cents_per_gb_month``; ``period_end``: when Stripe bills it.
    """
    subscription = Subscription.objects.get(organization=organization)
    entitlements = entitlements_compute(subscription)
    price = catalog.STORAGE_OVERAGE.cents_per_unit
    report = None
    if subscription.current_period_start:
        report = StorageOverageReport.objects.filter(
            subscription=subscription, period_start=subscription.current_period_start).first()
    peak = report.reported_gb if report else 0
    refusal = storage_overage_refusal(subscription)
    used = usage_measure(organization).storage_bytes
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
        "currency": catalog.CURRENCY,
        "unit": catalog.STORAGE_OVERAGE.unit,
        "period_end": subscription.current_period_end,
    }
