"""Platform metrics for the operators' console and the admin API (reads only).

The metrics follow the billing analytics tools (ChartMogul, Baremetrics, Stripe's own) and are
computed from what Stripe bills, never from today's catalog prices: a price change in the catalog
leaves past MRR as it was. Money is integer cents; instants are UTC.

The ledger is two fields that billing keeps in line with Stripe:

- ``Subscription.mrr_cents``: what Stripe bills the subscription a month now, net of discounts,
  normalised to a month (an annual price / 12), while Stripe's status is active or past due;
  0 for a trial (even one Stripe runs with a card on file), a suspended or cancelled
  subscription, and an operator's comp. A second live Stripe subscription of the same customer
  is flagged in ``extra_stripe_subscription_ids`` and never counted.
- ``SubscriptionEvent.mrr_cents``: the subscription's MRR right after the event. Every change
  writes one event; the history is append-only (the database refuses UPDATE and DELETE).

Definitions:

- **MRR now** = the sum of ``Subscription.mrr_cents``. **ARR** = 12 × MRR.
- **MRR at a moment** = for each subscription, the ``mrr_cents`` of its last event at or before
  that moment (ordered by ``created_at``, then id), summed.
- **Paying** customer at a moment: a subscription whose MRR then is above 0.
- **MRR movements** of a period (start, end] (events after ``start``, up to and including
  ``end``): each event is classified by the change it makes to its subscription's MRR, against
  the ``mrr_cents`` of the subscription's previous event (0 if none):

  ======================  ==================================  ============
  previous → after        condition                           movement
  ======================  ==================================  ============
  0 → more than 0         the subscription never paid before  new
  0 → more than 0         it paid at some earlier event       reactivation
  more than 0 → 0                                             churn
  more than 0 → more      up                                  expansion
  more than 0 → less      down, still above 0                 contraction
  ======================  ==================================  ============

  An event that leaves the MRR as it was is no movement. Each movement's ``cents`` is its
  signed change to MRR: new, expansion and reactivation are positive, **contraction and churn
  are negative**; ``count`` is the number of movements (a subscription that expands twice
  counts twice). ``net_cents`` is the sum of the five, and equals MRR(end) − MRR(start).
  A late payer (past due → suspended → active) is a churn then a reactivation, never a new
  subscription; a trial that lapses or is cancelled makes no movement (it never paid).
- **Customer churn** of a period = customers paying at ``start`` and not paying at ``end`` /
  customers paying at ``start``; ``None`` when none paid at the start. A customer who leaves
  and comes back within the period is not lost.
- **Trial conversion**: an organisation converted once its subscription has had an event with
  ``mrr_cents`` above 0 (Stripe billed it once). Per signup cohort (organisations grouped by
  the UTC month of ``Organization.created_at``): signups, converted, still trialing now, and
  rate = converted / signups (``None`` for an empty cohort). For a period: of the
  organisations that signed up in it, the share converted so far.
- **Growth** series have one bucket per UTC day: signups; MRR after the day's last event (for
  today: now); trial conversions (``new`` movements); trials ended (events leaving
  ``trialing``); churned (``churn`` movements); cancellations (a paying subscription moving to
  ``cancelled``).
- **Users, plants, storage** come from each organisation's latest ``UsageSnapshot`` (taken
  every few hours by the usage sweep); limits come from the catalog's tiers and the add-ons.

Every function runs a fixed number of queries whatever the number of organisations: the
arithmetic happens in SQL (aggregates and window functions), never in a per-organisation loop.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from subscriptions import catalog
from subscriptions.models import Status, Subscription, SubscriptionAddOn, SubscriptionEvent, UsageSnapshot
from tenants.models import Organization

PAYING = (Status.ACTIVE, Status.PAST_DUE)
PERIODS = {"7d": 7, "30d": 30, "90d": 90}
USAGE_METRICS = {"users": "users", "plants": "plants", "storage": "storage_bytes"}
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")

EVENTS = SubscriptionEvent._meta.db_table


def latest_usage() -> QuerySet[UsageSnapshot]:
    """Return each organisation's latest usage snapshot (one row per organisation)."""
    latest_ids = (
        UsageSnapshot.objects.order_by("organization_id", "-measured_at", "-id")
        .distinct("organization_id")
        .values("id")
    )
    return UsageSnapshot.objects.filter(id__in=Subquery(latest_ids))


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
        users=Coalesce(Sum("users"), 0), plants=Coalesce(Sum("plants"), 0), storage=Coalesce(Sum("storage_bytes"), 0)
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
    }


# Each event up to %(end)s with the MRR before it ("previous", 0 for the first) and the highest
# MRR of any earlier event ("best_before": above 0 once the subscription has paid).
_HISTORY_SQL = f"""
history AS (
    SELECT created_at, from_status, to_status, mrr_cents AS mrr,
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
WITH {_HISTORY_SQL}
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

_CUSTOMER_CHURN_SQL = f"""
WITH at_start AS (
    SELECT DISTINCT ON (subscription_id) subscription_id, mrr_cents FROM {EVENTS}
    WHERE created_at <= %(start)s ORDER BY subscription_id, created_at DESC, id DESC
), at_end AS (
    SELECT DISTINCT ON (subscription_id) subscription_id, mrr_cents FROM {EVENTS}
    WHERE created_at <= %(end)s ORDER BY subscription_id, created_at DESC, id DESC
)
SELECT COUNT(*), COUNT(*) FILTER (WHERE COALESCE(at_end.mrr_cents, 0) = 0)
FROM at_start LEFT JOIN at_end USING (subscription_id)
WHERE at_start.mrr_cents > 0
"""

# One row per UTC day of the period: the day's change to MRR (changes before the period fold
# into its first day, so a running sum gives each day's MRR) and the day's counted events.
_DAILY_SQL = f"""
WITH {_HISTORY_SQL}
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


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def mrr_at(moment: datetime) -> int:
    """Return the MRR at ``moment``: each subscription's MRR after its last event until then, summed."""
    return int(_fetch(_MRR_AT_SQL, {"at": moment})[0][0])


def mrr_movements(start: datetime, end: datetime) -> dict:
    """Return the MRR movements of the events after ``start`` up to ``end`` (see the module's definitions).

    Each of new, expansion, contraction, churn and reactivation is ``{"cents", "count"}``;
    contraction and churn cents are negative. ``net_cents`` is their sum, which equals
    ``mrr_end_cents`` − ``mrr_start_cents``.
    """
    if end < start:
        raise ValueError("The period ends before it starts.")
    rows = {kind: (int(cents), count) for kind, cents, count in _fetch(_MOVEMENTS_SQL, {"start": start, "end": end})}
    moves = {kind: {"cents": rows.get(kind, (0, 0))[0], "count": rows.get(kind, (0, 0))[1]} for kind in MOVEMENTS}
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "mrr_start_cents": mrr_at(start),
        "mrr_end_cents": mrr_at(end),
        **moves,
        "net_cents": sum(move["cents"] for move in moves.values()),
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def customer_churn(start: datetime, end: datetime) -> dict:
    """Return the customers paying at ``start``, those of them not paying at ``end``, and the rate lost / paying."""
    [(paying, lost)] = _fetch(_CUSTOMER_CHURN_SQL, {"start": start, "end": end})
    return {"start": start.isoformat(), "end": end.isoformat(), "paying_at_start": paying, "lost": lost,
            "rate": _ratio(lost, paying)}


def _signups(trunc, *, start: datetime, now: datetime) -> dict:
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


def _month_start(moment: datetime, months_back: int = 0) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months_back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def trial_conversion_cohorts(*, months: int = 12, now: datetime | None = None) -> list[dict]:
    """Return one row per signup month (UTC), oldest first, the last ``months`` months up to this one.

    Each row: month (YYYY-MM), signups, converted (Stripe has billed them), trialing (still, now) and
    rate = converted / signups (None for a month without signups).
    """
    if months < 1:
        raise ValueError("Ask for one month or more.")
    now = (now or timezone.now()).astimezone(UTC)
    buckets = _signups(TruncMonth, start=_month_start(now, months - 1), now=now)
    cohorts = []
    for back in range(months - 1, -1, -1):
        month = _month_start(now, back)
        signups, converted, trialing = buckets.get(month, (0, 0, 0))
        cohorts.append({"month": month.strftime("%Y-%m"), "signups": signups, "converted": converted,
                        "trialing": trialing, "rate": _ratio(converted, signups)})
    return cohorts


def _period_bounds(days: int, now: datetime) -> tuple[date, datetime]:
    """Return the first UTC day of a period of ``days`` days ending today, and the instant it starts."""
    first_day = now.astimezone(UTC).date() - timedelta(days=days - 1)
    return first_day, datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)


def days_window(first_day: date, last_day: date, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return the instants that bound whole UTC days ``first_day`` to ``last_day``: the first's 00:00 and
    the 00:00 after the last (or ``now``, if sooner)."""
    now = now or timezone.now()
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return start, max(start, min(end, now))


def growth_metrics(*, period: str, now: datetime | None = None) -> dict:
    """Return daily signups, MRR, trial conversions and churn over ``period`` (7d, 30d or 90d).

    Also return the period's totals, its MRR movements, customer churn and the trial conversion
    of its signups (see the module's definitions).
    """
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}; use one of {', '.join(PERIODS)}.")
    days = PERIODS[period]
    now = now or timezone.now()
    first_day, start = _period_bounds(days, now)
    signups = _signups(TruncDate, start=start, now=now)
    daily = {row[0]: row[1:] for row in _fetch(_DAILY_SQL, {"start": start, "end": now})}
    series, mrr = [], 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        change, conversions, trials_ended, churned, cancellations = daily.get(day, (0, 0, 0, 0, 0))
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
            }
        )
    totals = {key: sum(row[key] for row in series)
              for key in ("signups", "trial_conversions", "trials_ended", "churned", "cancellations")}
    totals["signups_converted"] = sum(converted for _signed, converted, _trialing in signups.values())
    churn = customer_churn(start, now)
    return {
        "period": period,
        "start": start.isoformat(),
        "end": now.isoformat(),
        "series": series,
        "totals": totals,
        "movements": mrr_movements(start, now),
        "paying_at_start": churn["paying_at_start"],
        "customers_lost": churn["lost"],
        "churn_rate": churn["rate"],
        "trial_conversion_rate": _ratio(totals["signups_converted"], totals["signups"]),
    }


def _limit_case(kind: str) -> Case:
    """Return a SQL CASE giving the tier's limit of ``kind`` (users, plants, storage_gb); NULL if unlimited."""
    whens = [
        When(organization__subscription__tier=tier.key, then=Value(getattr(tier.limits, kind)))
        for tier in catalog.TIERS.values()
        if getattr(tier.limits, kind) is not None
    ]
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


def _extra_units(add_on_kind: str) -> Coalesce:
    quantity = SubscriptionAddOn.objects.filter(
        subscription_id=OuterRef("organization__subscription__id"), kind=add_on_kind, removed_at__isnull=True
    ).values("quantity")[:1]
    return Coalesce(Subquery(quantity, output_field=BigIntegerField()), 0)


def usage_with_limits():
    """Return the latest usage snapshots annotated with each organisation's limits (add-ons included)."""
    return (
        latest_usage()
        .select_related("organization", "organization__subscription")
        .annotate(
            user_limit=_limit_case("users") + _extra_units("extra_user"),
            plant_limit=_limit_case("plants") + _extra_units("extra_plant"),
            storage_limit=Cast(_limit_case("storage_gb") + _extra_units("extra_storage"), BigIntegerField()) * catalog.GB,
        )
    )


def top_organizations(*, metric: str, limit: int = 20) -> list[UsageSnapshot]:
    """Return the organisations using the most users, plants or storage, with their latest snapshot."""
    if metric not in USAGE_METRICS:
        raise ValueError(f"Unknown metric {metric!r}; use one of {', '.join(USAGE_METRICS)}.")
    order = (f"-{USAGE_METRICS[metric]}", "organization__name")
    # Rank the bare snapshots first, so the limits are worked out for the top rows only.
    top_ids = latest_usage().order_by(*order).values("id")[:limit]
    return list(usage_with_limits().filter(id__in=Subquery(top_ids)).order_by(*order))


def limit_violations(*, limit: int = 100) -> list[UsageSnapshot]:
    """Return the latest snapshots of organisations using more than their plan allows (first ``limit`` by name)."""
    over = Q(users__gt=F("user_limit")) | Q(plants__gt=F("plant_limit")) | Q(storage_bytes__gt=F("storage_limit"))
    return list(usage_with_limits().filter(over).order_by("organization__name")[:limit])


def trials_expiring(*, days: int = 7, now: datetime | None = None):
    """Return trialing subscriptions whose trial ends within ``days`` days, soonest first."""
    now = now or timezone.now()
    return (
        Subscription.objects.filter(status=Status.TRIALING, trial_ends_at__gte=now, trial_ends_at__lt=now + timedelta(days=days))
        .select_related("organization")
        .order_by("trial_ends_at")
    )


def recent_signups(*, limit: int = 10):
    """Return the newest organisations with their subscriptions."""
    return Organization.objects.select_related("subscription").order_by("-created_at")[:limit]
