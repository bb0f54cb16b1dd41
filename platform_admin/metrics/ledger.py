"""The MRR ledger read back: MRR at a moment, movements, customer churn and retention, signups.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection
from django.db.models import BigIntegerField, Count, Exists, F, Func, Max, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from platform_admin.metrics.periods import midnight, month_index, month_of
from platform_admin.metrics.usage import latest_usage
from subscriptions.models import Status, Subscription, SubscriptionEvent
from tenants.models import Organization

PAYING = (Status.ACTIVE, Status.PAST_DUE)
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")

EVENTS = SubscriptionEvent._meta.db_table


def platform_metrics() -> dict:
    """Return the platform's headline figures: organisations, subscriptions, MRR, ARR and usage."""
    organizations = Organization.objects.aggregate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    extra_ids = Func(F("extra_stripe_subscription_ids"), function="jsonb_array_length", output_field=BigIntegerField())
    subscriptions = Subscription.objects.aggregate(
        active=Count("id", filter=Q(status__in=PAYING)),
        paying=Count("id", filter=Q(mrr_cents__gt=0)),
        trialing=Count("id", filter=Q(status=Status.TRIALING)),
        past_due=Count("id", filter=Q(status=Status.PAST_DUE)),
        suspended=Count("id", filter=Q(status=Status.SUSPENDED)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        comped=Count("id", filter=~Q(comp_tier="")),
        held=Count("id", filter=Q(held_at__isnull=False)),
        duplicates=Coalesce(Sum(extra_ids), 0),
        mrr=Coalesce(Sum("mrr_cents"), 0),
    )
    usage = latest_usage().aggregate(
        users=Coalesce(Sum("users"), 0), plants=Coalesce(Sum("plants"), 0), storage=Coalesce(Sum("storage_bytes"), 0),
        measured_at=Max("measured_at"),
    )
    mrr = subscriptions["mrr"]
    return {
        "organizations": organizations["total"],
        "active_organizations": organizations["active"],
        "active_subscriptions": subscriptions["active"],
        "paying_customers": subscriptions["paying"],
        "trials": subscriptions["trialing"],
        "past_due": subscriptions["past_due"],
        "suspended": subscriptions["suspended"],
        "cancelled": subscriptions["cancelled"],
        "comped": subscriptions["comped"],
        "held": subscriptions["held"],
        "duplicate_stripe_subscriptions": subscriptions["duplicates"],
        "mrr_cents": mrr,
        "arr_cents": 12 * mrr,
        "users": usage["users"],
        "plants": usage["plants"],
        "storage_bytes": usage["storage"],
        "usage_measured_at": usage["measured_at"],  # the latest usage sweep's snapshot; None before the first
    }


# Each event up to %(end)s with the MRR before it ("previous", 0 for the first) and the highest
# MRR of any earlier event ("best_before": above 0 once the subscription has paid).
HISTORY_CTE = f"""
history AS (
    SELECT subscription_id, created_at, from_status, to_status, mrr_cents AS mrr,
           LAG(mrr_cents, 1, 0) OVER w AS previous,
           COALESCE(MAX(mrr_cents) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS best_before
    FROM {EVENTS} WHERE created_at <= %(end)s
    WINDOW w AS (PARTITION BY subscription_id ORDER BY created_at, id)
)"""

_MOVEMENT_CASE = """
CASE WHEN previous = 0 AND mrr > 0 THEN CASE WHEN best_before > 0 THEN 'reactivation' ELSE 'new' END
     WHEN previous > 0 AND mrr = 0 THEN 'churn'
     WHEN mrr > previous THEN 'expansion'
     WHEN mrr < previous THEN 'contraction'
END"""

_MOVEMENTS_SQL = f"""
WITH {HISTORY_CTE}
SELECT kind, SUM(mrr - previous), COUNT(*) FROM (
    SELECT mrr, previous, {_MOVEMENT_CASE} AS kind FROM history WHERE created_at > %(start)s
) moves
WHERE kind IS NOT NULL
GROUP BY kind
"""

_MRR_AT_SQL = f"""
SELECT COALESCE(SUM(mrr_cents), 0) FROM (
    SELECT DISTINCT ON (subscription_id) mrr_cents FROM {EVENTS}
    WHERE created_at <= %(at)s ORDER BY subscription_id, created_at DESC, id DESC
) latest
"""

_RETENTION_SQL = f"""
WITH at_start AS (
    SELECT DISTINCT ON (subscription_id) subscription_id, mrr_cents FROM {EVENTS}
    WHERE created_at <= %(start)s ORDER BY subscription_id, created_at DESC, id DESC
), at_end AS (
    SELECT DISTINCT ON (subscription_id) subscription_id, mrr_cents FROM {EVENTS}
    WHERE created_at <= %(end)s ORDER BY subscription_id, created_at DESC, id DESC
)
SELECT COUNT(*), COUNT(*) FILTER (WHERE COALESCE(at_end.mrr_cents, 0) = 0),
       COALESCE(SUM(at_start.mrr_cents), 0), COALESCE(SUM(COALESCE(at_end.mrr_cents, 0)), 0)
FROM at_start LEFT JOIN at_end USING (subscription_id)
WHERE at_start.mrr_cents > 0
"""

# One row per UTC month: the month's change to MRR (changes before %(start)s fold into its month),
# so a running sum gives the MRR at the end of each month.
_MONTHLY_SQL = f"""
WITH {HISTORY_CTE}
SELECT (date_trunc('month', GREATEST(created_at, %(start)s) AT TIME ZONE 'UTC'))::date, SUM(mrr - previous)
FROM history
GROUP BY 1
"""

# One row per UTC day of the period: the day's change to MRR (changes before the period fold
# into its first day, so a running sum gives each day's MRR) and the day's counted events.
_DAILY_SQL = f"""
WITH {HISTORY_CTE}
SELECT (GREATEST(created_at, %(start)s) AT TIME ZONE 'UTC')::date AS day,
       SUM(mrr - previous) AS change,
       COUNT(*) FILTER (WHERE created_at > %(start)s AND previous = 0 AND mrr > 0 AND best_before = 0),
       COUNT(*) FILTER (WHERE created_at > %(start)s AND from_status = 'trialing' AND to_status <> 'trialing'),
       COUNT(*) FILTER (WHERE created_at > %(start)s AND previous > 0 AND mrr = 0),
       COUNT(*) FILTER (WHERE created_at > %(start)s AND previous > 0 AND to_status = 'cancelled'
                        AND from_status <> 'cancelled')
FROM history
GROUP BY 1
"""


def fetch_rows(sql: str, params: dict) -> list[tuple]:
    """Return the rows of one raw query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def mrr_at(moment: datetime) -> int:
    """Return the MRR at ``moment``: each subscription's MRR after its last event until then, summed."""
    return int(fetch_rows(_MRR_AT_SQL, {"at": moment})[0][0])


def mrr_movements(start: datetime, end: datetime) -> dict:
    """Return the MRR movements of the events after ``start`` up to ``end`` (see the module's definitions).

    Each of new, expansion, contraction, churn and reactivation is ``{"cents", "count"}``;
    contraction and churn cents are negative. ``net_cents`` is their sum, which equals
    ``mrr_end_cents`` − ``mrr_start_cents``.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    rows = {kind: (int(cents), count) for kind, cents, count in fetch_rows(_MOVEMENTS_SQL, {"start": start, "end": end})}
    moves = {kind: {"cents": rows.get(kind, (0, 0))[0], "count": rows.get(kind, (0, 0))[1]} for kind in MOVEMENTS}
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "mrr_start_cents": mrr_at(start),
        "mrr_end_cents": mrr_at(end),
        **moves,
        "net_cents": sum(move["cents"] for move in moves.values()),
    }


def ratio(numerator: int, denominator: int) -> float | None:
    """Return numerator / denominator to four places, or None when the denominator is 0."""
    return None if denominator == 0 else round(numerator / denominator, 4)


def daily_changes(start: datetime, end: datetime) -> dict:
    """Return {UTC day: (MRR change, conversions, trials ended, churned, cancellations)} from ``start`` to ``end``.

    Changes before ``start`` fold into its day, so a running sum of the changes is each day's MRR.
    """
    return {row[0]: row[1:] for row in fetch_rows(_DAILY_SQL, {"start": start, "end": end})}


def retention(start: datetime, end: datetime) -> dict:
    """Return the customers paying at ``start`` and what became of them by ``end``.

    Keys: ``paying_at_start``, ``lost`` (not paying at ``end``), ``rate`` (customer churn, lost /
    paying), ``mrr_start_cents`` (their MRR at ``start``), ``mrr_retained_cents`` (their MRR at
    ``end``) and ``net_revenue_retention`` (retained / start; None when nobody paid at ``start``).
    """
    [(paying, lost, mrr_start, mrr_end)] = fetch_rows(_RETENTION_SQL, {"start": start, "end": end})
    return {"start": start.isoformat(), "end": end.isoformat(), "paying_at_start": paying, "lost": lost,
            "rate": ratio(lost, paying), "mrr_start_cents": int(mrr_start), "mrr_retained_cents": int(mrr_end),
            "net_revenue_retention": ratio(int(mrr_end), int(mrr_start))}


def customer_churn(start: datetime, end: datetime) -> dict:
    """Return the customers paying at ``start``, those of them not paying at ``end``, and the rate lost / paying."""
    figures = retention(start, end)
    return {key: figures[key] for key in ("start", "end", "paying_at_start", "lost", "rate")}


def mrr_by_month(*, months: int, now: datetime | None = None) -> list[dict]:
    """Return the MRR at the end of each of the last ``months`` UTC months (this one: now), oldest first.

    Each row: month (YYYY-MM), mrr_cents, previous_mrr_cents (the month before's end) and
    growth_rate = (mrr − previous) / previous (None when the previous month ended at 0).
    """
    now = now or timezone.now()
    first = month_index(now.astimezone(UTC)) - months  # the month before the first shown
    start = midnight(month_of(first))
    changes = dict(fetch_rows(_MONTHLY_SQL, {"start": start, "end": now}))
    rows, mrr = [], 0
    for index in range(first, first + months + 1):
        previous, mrr = mrr, mrr + int(changes.get(month_of(index), 0))
        if index > first:
            rows.append({"month": month_of(index).strftime("%Y-%m"), "mrr_cents": mrr, "previous_mrr_cents": previous,
                         "growth_rate": ratio(mrr - previous, previous)})
    return rows


def signup_buckets(trunc, *, start: datetime, now: datetime) -> dict:
    """Return {bucket: (signups, converted by ``now``, still trialing)} of organisations created from ``start`` to ``now``."""
    paid = SubscriptionEvent.objects.filter(subscription__organization=OuterRef("pk"), mrr_cents__gt=0, created_at__lte=now)
    rows = (
        Organization.objects.filter(created_at__gte=start, created_at__lte=now)
        .annotate(bucket=trunc("created_at", tzinfo=UTC))
        .values("bucket")
        .annotate(
            signups=Count("id"),
            converted=Count("id", filter=Q(Exists(paid))),
            trialing=Count("id", filter=Q(subscription__status=Status.TRIALING)),
        )
        .order_by()
    )
    return {row["bucket"]: (row["signups"], row["converted"], row["trialing"]) for row in rows}


def trial_conversion_cohorts(*, months: int = 12, now: datetime | None = None) -> list[dict]:
    """Return one row per signup month (UTC), oldest first, the last ``months`` months up to this one.

    Each row: month (YYYY-MM), signups, converted (Stripe has billed them), trialing (still, now) and
    rate = converted / signups (None for a month without signups).
    """
    if months < 1:
        raise ValueError("Ask for one month or more.")
    now = (now or timezone.now()).astimezone(UTC)
    buckets = signup_buckets(TruncMonth, start=midnight(month_of(month_index(now) - months + 1)), now=now)
    cohorts = []
    for back in range(months - 1, -1, -1):
        month = midnight(month_of(month_index(now) - back))
        signups, converted, trialing = buckets.get(month, (0, 0, 0))
        cohorts.append({"month": month.strftime("%Y-%m"), "signups": signups, "converted": converted,
                        "trialing": trialing, "rate": ratio(converted, signups)})
    return cohorts
