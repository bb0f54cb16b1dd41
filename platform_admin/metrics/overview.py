"""The headline figures of ``GET /api/v1/admin/metrics`` and the console's dashboard, over one period.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from platform_admin.metrics.activity import TRIALS_ENDING_DAYS, operator_activity, signup_counts, trials_expiring
from platform_admin.metrics.ledger import mrr_by_month, mrr_movements, platform_metrics, retention
from platform_admin.metrics.periods import period_bounds
from platform_admin.metrics.revenue import (
    arpa_cents,
    customer_lifetime_value,
    net_revenue_retention,
    payment_success,
    quick_ratio,
    subscriptions_by_plan,
)
from platform_admin.metrics.usage import usage_by_tier

CHURN_WINDOW = timedelta(days=30)  # "monthly" customer churn, for the lifetime value
TRIALS_LISTED = 20


def overview_metrics(*, period: str = "30d", now: datetime | None = None) -> dict:
    """Return ``platform_metrics`` and, for ``period`` (7d, 30d or 90d), the revenue, retention and activity figures.

    Raise ValueError for another period.
    """
    now = now or timezone.now()
    _first_day, start = period_bounds(period, now)
    figures = platform_metrics()
    mrr, paying = figures["mrr_cents"], figures["paying_customers"]
    kept = retention(start, now)
    monthly = retention(now - CHURN_WINDOW, now)
    [this_month] = mrr_by_month(months=1, now=now)
    trials = trials_expiring(days=TRIALS_ENDING_DAYS, now=now)
    activity = operator_activity(start, now)
    return {
        **figures,
        "period": period,
        "start": start.isoformat(),
        "end": now.isoformat(),
        "arpa_cents": arpa_cents(mrr_cents=mrr, paying_customers=paying),
        "customer_lifetime_value": customer_lifetime_value(mrr_cents=mrr, paying_customers=paying, churn=monthly),
        "payment_success": payment_success(start, now),
        "mrr_growth": this_month,
        "signups": signup_counts(now=now),
        **subscriptions_by_plan(),
        "usage_by_tier": usage_by_tier(),
        "trials_ending_7d": trials.count(),
        "trials_ending": [{"organization_id": s.organization_id, "organization_name": s.organization.name,
                           "tier": s.tier, "trial_ends_at": s.trial_ends_at.isoformat()} for s in trials[:TRIALS_LISTED]],
        "operator_activity": {key: value for key, value in activity.items() if key != "by_day"},
        "customer_churn": {key: kept[key] for key in ("paying_at_start", "lost", "rate")},
        "net_revenue_retention": net_revenue_retention(kept),
        "quick_ratio": quick_ratio(mrr_movements(start, now)),
    }
