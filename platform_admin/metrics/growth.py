"""The growth series: per day over a period, per ISO week and per UTC month over the last twelve.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models.functions import TruncDate
from django.utils import timezone

from platform_admin.metrics.activity import operator_activity, signup_series
from platform_admin.metrics.ledger import daily_changes, mrr_by_month, mrr_movements, ratio, retention, signup_buckets
from platform_admin.metrics.periods import PERIODS, period_bounds
from platform_admin.metrics.revenue import net_revenue_retention, quick_ratio

SERIES_MONTHS = SERIES_WEEKS = 12


def growth_metrics(*, period: str, now: datetime | None = None) -> dict:
    """Return daily signups, MRR, trial conversions, churn and operators' activity over ``period`` (7d, 30d or 90d).

    Also return the period's totals, its MRR movements, customer churn, net revenue retention,
    quick ratio and the trial conversion of its signups; and signups per week, signups and MRR
    (with its growth) per month, over the last twelve of each.
    """
    now = now or timezone.now()
    first_day, start = period_bounds(period, now)
    signups = signup_buckets(TruncDate, start=start, now=now)
    daily = daily_changes(start, now)
    activity = operator_activity(start, now)
    series, mrr = [], 0
    for offset in range(PERIODS[period]):
        day = first_day + timedelta(days=offset)
        change, conversions, trials_ended, churned, cancellations = daily.get(day, (0, 0, 0, 0, 0))
        operators = activity["by_day"].get(day, {"impersonations": 0, "admin_actions": 0})
        mrr += int(change)
        series.append(
            {
                "date": day.isoformat(),
                "signups": signups.get(day, (0,))[0],
                "mrr_cents": mrr,
                "trial_conversions": conversions,
                "trials_ended": trials_ended,
                "churned": churned,
                "cancellations": cancellations,
                **operators,
            }
        )
    totals = {key: sum(row[key] for row in series)
              for key in ("signups", "trial_conversions", "trials_ended", "churned", "cancellations")}
    totals["signups_converted"] = sum(converted for _signed, converted, _trialing in signups.values())
    kept = retention(start, now)
    movements = mrr_movements(start, now)
    weeks_and_months = signup_series(weeks=SERIES_WEEKS, months=SERIES_MONTHS, now=now)
    monthly = [{**counts, **mrr_row} for counts, mrr_row in
               zip(weeks_and_months["monthly"], mrr_by_month(months=SERIES_MONTHS, now=now), strict=True)]
    return {
        "period": period,
        "start": start.isoformat(),
        "end": now.isoformat(),
        "series": series,
        "totals": totals,
        "movements": movements,
        "paying_at_start": kept["paying_at_start"],
        "customers_lost": kept["lost"],
        "churn_rate": kept["rate"],
        "trial_conversion_rate": ratio(totals["signups_converted"], totals["signups"]),
        "net_revenue_retention": net_revenue_retention(kept),
        "quick_ratio": quick_ratio(movements),
        "operator_activity": {key: value for key, value in activity.items() if key != "by_day"},
        "weekly": weeks_and_months["weekly"],
        "monthly": monthly,
    }
