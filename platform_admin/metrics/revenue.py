"""Revenue figures beside MRR: ARPA, customer lifetime value, quick ratio, payment success, MRR by plan.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from djstripe.models import Invoice

from platform_admin.metrics.ledger import PAYING, ratio
from subscriptions import catalog
from subscriptions.models import Subscription


def cents_half_up(numerator: int, denominator: int) -> int:
    """Return numerator / denominator rounded to whole cents, halves up (both positive)."""
    return (2 * numerator + denominator) // (2 * denominator)


def arpa_cents(*, mrr_cents: int, paying_customers: int) -> int | None:
    """Return the average revenue per account: MRR / paying customers, in cents; None with none paying."""
    return None if paying_customers == 0 else cents_half_up(mrr_cents, paying_customers)


def customer_lifetime_value(*, mrr_cents: int, paying_customers: int, churn: dict) -> dict:
    """Return ARPA / monthly customer churn rate in cents, from the MRR now and a 30-day ``retention`` figure.

    ``cents`` is None when it cannot be worked out, and ``reason`` says why: ``no_paying_customers``
    (no ARPA), ``no_customers_at_start`` (nobody paid 30 days ago: no churn rate) or ``no_churn``
    (nobody was lost: at 0 % churn the lifetime has no end).
    """
    paying_at_start, lost = churn["paying_at_start"], churn["lost"]
    reason = ("no_paying_customers" if paying_customers == 0 else "no_customers_at_start" if paying_at_start == 0
              else "no_churn" if lost == 0 else None)
    # ARPA / (lost / paying at start), in one division so that neither rounding leaks into the other.
    cents = None if reason else cents_half_up(mrr_cents * paying_at_start, paying_customers * lost)
    return {"cents": cents, "reason": reason, "arpa_cents": arpa_cents(mrr_cents=mrr_cents, paying_customers=paying_customers),
            "monthly_churn_rate": churn["rate"], "paying_at_start": paying_at_start, "lost": lost}


def net_revenue_retention(kept: dict) -> dict:
    """Return the net revenue retention of a ``retention`` figure: rate, MRR at the start and MRR retained."""
    return {"rate": kept["net_revenue_retention"], "mrr_start_cents": kept["mrr_start_cents"],
            "mrr_retained_cents": kept["mrr_retained_cents"]}


def quick_ratio(movements: dict) -> dict:
    """Return the SaaS quick ratio of ``mrr_movements``: (new + expansion + reactivation) / (contraction + churn).

    ``value`` is None when nothing was lost, with ``reason`` ``no_losses`` (MRR was gained: the
    ratio has no bound) or ``no_movements`` (nothing moved at all).
    """
    gained = sum(movements[kind]["cents"] for kind in ("new", "expansion", "reactivation"))
    lost = -sum(movements[kind]["cents"] for kind in ("contraction", "churn"))
    reason = None if lost else ("no_losses" if gained else "no_movements")
    return {"value": None if reason else round(gained / lost, 2), "reason": reason, "gained_cents": gained,
            "lost_cents": lost}


# dj-stripe keeps each invoice as Stripe sent it in ``stripe_data``.
_PAYMENTS_SQL = f"""
SELECT COUNT(*), COUNT(*) FILTER (WHERE stripe_data->>'status' = 'paid'),
       COALESCE(SUM(GREATEST(COALESCE((stripe_data->>'attempt_count')::int, 1), 1)), 0)
FROM {Invoice._meta.db_table}
WHERE created > %(start)s AND created <= %(end)s
  AND stripe_data->>'attempted' = 'true' AND stripe_data->>'status' <> 'draft'
  AND COALESCE((stripe_data->>'amount_due')::bigint, 0) > 0
"""


def payment_success(start: datetime, end: datetime) -> dict:
    """Return the invoices Stripe tried to collect that were created after ``start`` up to ``end``, and how many paid.

    Keys: ``attempted`` (invoices), ``paid``, ``failed`` (attempted, not paid: open, void or
    uncollectible), ``attempts`` (charges tried, retries included) and ``rate`` = paid / attempted
    (None when none was attempted).
    """
    with connection.cursor() as cursor:
        cursor.execute(_PAYMENTS_SQL, {"start": start, "end": end})
        attempted, paid, attempts = cursor.fetchone()
    return {"attempted": attempted, "paid": paid, "failed": attempted - paid, "attempts": int(attempts),
            "rate": ratio(paid, attempted)}


def subscriptions_by_plan() -> dict:
    """Return active subscriptions, paying customers and MRR per tier, per billing cycle and per currency
    (every one listed), MRR in US cents; per currency also ``mrr_native_cents``, in that currency.

    ``{"by_tier": [{"tier", "active_subscriptions", "paying_customers", "mrr_cents"}], "by_billing_cycle": [...],
    "by_currency": [{"currency", ..., "mrr_native_cents"}]}``
    """
    rows = (
        Subscription.objects.values("tier", "billing_cycle", "currency")
        .annotate(active=Count("id", filter=Q(status__in=PAYING)), paying=Count("id", filter=Q(mrr_cents__gt=0)),
                  mrr=Coalesce(Sum("mrr_cents"), 0), native=Coalesce(Sum("mrr_native_cents"), 0))
        .order_by()
    )
    empty = {"active_subscriptions": 0, "paying_customers": 0, "mrr_cents": 0}
    tiers = {key: {"tier": key, **empty} for key in catalog.TIERS}
    cycles = {key: {"billing_cycle": key, **empty} for key in catalog.BILLING_CYCLES}
    currencies = {key: {"currency": key, **empty, "mrr_native_cents": 0} for key in catalog.CURRENCIES}
    for row in rows:
        currency = currencies.setdefault(row["currency"], {"currency": row["currency"], **empty, "mrr_native_cents": 0})
        currency["mrr_native_cents"] += row["native"]
        for bucket in (tiers.setdefault(row["tier"], {"tier": row["tier"], **empty}),
                       cycles.setdefault(row["billing_cycle"], {"billing_cycle": row["billing_cycle"], **empty}),
                       currency):
            bucket["active_subscriptions"] += row["active"]
            bucket["paying_customers"] += row["paying"]
            bucket["mrr_cents"] += row["mrr"]
    return {"by_tier": list(tiers.values()), "by_billing_cycle": list(cycles.values()),
            "by_currency": list(currencies.values())}
