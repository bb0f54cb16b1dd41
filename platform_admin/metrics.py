"""Platform metrics for the operators' console and the admin API (reads only).

Definitions (money in integer cents):

- **MRR** (monthly recurring revenue) counts subscriptions that are *active* or
  *past due*: the tier's monthly price, or for annual billing the annual price
  / 12 (rounded down, as ``catalog.Tier.monthly_equivalent_cents``), plus the
  subscription's active add-ons (quantity × unit price). Trials, suspended and
  cancelled subscriptions count nothing.
- **ARR** = 12 × MRR.
- **Churn** for a period = subscriptions cancelled in the period / subscriptions
  active (active or past due) at its start. A cancellation is a transition to
  ``cancelled`` from any status but ``trialing`` (a trial that is cancelled is a
  lost trial, counted in trial conversion instead). ``None`` when nothing was
  active at the start.
- **Trial conversion** for a period = trials converted in the period / trials
  ended in the period. A trial ends when its subscription leaves ``trialing``
  (converted, expired or cancelled); it converted when it went straight to
  ``active``. ``None`` when no trial ended.
- **Users, plants, storage** come from each organisation's latest
  ``UsageSnapshot`` (taken every few hours by the usage sweep).
- **Growth** series have one bucket per UTC day. The MRR of a past day is that
  of the subscriptions whose status at the end of the day (from the
  ``SubscriptionEvent`` history) was active or past due, priced at the tier and
  cycle they had then (each event records the plan it left; plan changes
  without a status change are "change_plan" events) with the add-ons active at
  that moment.

Every function runs a fixed number of queries whatever the number of
organisations: the arithmetic happens in SQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from subscriptions import catalog
from subscriptions.models import Status, Subscription, SubscriptionAddOn, SubscriptionEvent, UsageSnapshot
from tenants.models import Organization

PAYING = (Status.ACTIVE, Status.PAST_DUE)
PERIODS = {"7d": 7, "30d": 30, "90d": 90}
USAGE_METRICS = {"users": "users", "plants": "plants", "storage": "storage_bytes"}


# (tier, cycle, monthly-equivalent cents) for every plan of the catalog.
PRICES = [(tier.key, cycle, tier.monthly_equivalent_cents(cycle))
          for tier in catalog.TIERS.values() for cycle in catalog.BILLING_CYCLES]


def _price_cases() -> Case:
    """Return a SQL CASE giving each subscription's monthly-equivalent tier price."""
    whens = [When(tier=tier, billing_cycle=cycle, then=Value(cents)) for tier, cycle, cents in PRICES]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def _add_ons_cents() -> Coalesce:
    """Return a SQL subquery giving the monthly cents of a subscription's active add-ons."""
    add_ons = (
        SubscriptionAddOn.objects.filter(subscription=OuterRef("pk"), removed_at__isnull=True)
        .values("subscription")
        .annotate(cents=Sum(F("quantity") * F("unit_price_cents")))
        .values("cents")
    )
    return Coalesce(Subquery(add_ons, output_field=IntegerField()), 0)


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
    subscriptions = Subscription.objects.annotate(tier_cents=_price_cases(), add_on_cents=_add_ons_cents()).aggregate(
        active=Count("id", filter=Q(status__in=PAYING)),
        trialing=Count("id", filter=Q(status=Status.TRIALING)),
        past_due=Count("id", filter=Q(status=Status.PAST_DUE)),
        suspended=Count("id", filter=Q(status=Status.SUSPENDED)),
        cancelled=Count("id", filter=Q(status=Status.CANCELLED)),
        mrr=Coalesce(Sum(F("tier_cents") + F("add_on_cents"), filter=Q(status__in=PAYING)), 0),
    )
    usage = latest_usage().aggregate(
        users=Coalesce(Sum("users"), 0), plants=Coalesce(Sum("plants"), 0), storage=Coalesce(Sum("storage_bytes"), 0)
    )
    mrr = subscriptions["mrr"]
    return {
        "organizations": organizations["total"],
        "active_organizations": organizations["active"],
        "active_subscriptions": subscriptions["active"],
        "trials": subscriptions["trialing"],
        "past_due": subscriptions["past_due"],
        "suspended": subscriptions["suspended"],
        "cancelled": subscriptions["cancelled"],
        "mrr_cents": mrr,
        "arr_cents": 12 * mrr,
        "users": usage["users"],
        "plants": usage["plants"],
        "storage_bytes": usage["storage"],
    }


def _period_bounds(days: int, now: datetime) -> tuple[date, datetime]:
    """Return the first day of a period of ``days`` days ending today, and the instant it starts."""
    first_day = now.date() - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=now.tzinfo)
    return first_day, start


# MRR over time as a running sum of changes: each paying stretch of a subscription (and each
# add-on within it) adds its cents when it starts and takes them away when it ends. Changes
# before the period fold into its first day. One pass over the history, whatever the days.
_MRR_CHANGES_SQL = """
WITH spans AS (
    SELECT subscription_id, to_status AS status, created_at AS since, tier, billing_cycle,
           LEAD(created_at) OVER (PARTITION BY subscription_id ORDER BY created_at, id) AS until
    FROM subscriptions_subscriptionevent WHERE created_at <= %(now)s
),
paying AS (
    SELECT subscription_id, since, until, tier, billing_cycle FROM spans WHERE status IN ('active', 'past_due')
),
pieces AS (
    SELECT paying.since, paying.until, prices.cents
    FROM paying
    JOIN subscriptions_subscription s ON s.id = paying.subscription_id
    JOIN (VALUES {prices}) AS prices(tier, cycle, cents)
      ON prices.tier = COALESCE(NULLIF(paying.tier, ''), s.tier)
     AND prices.cycle = COALESCE(NULLIF(paying.billing_cycle, ''), s.billing_cycle)
    UNION ALL
    SELECT GREATEST(a.created_at, paying.since), LEAST(a.removed_at, paying.until), a.quantity * a.unit_price_cents
    FROM paying JOIN subscriptions_subscriptionaddon a ON a.subscription_id = paying.subscription_id
    WHERE a.created_at < COALESCE(paying.until, 'infinity') AND COALESCE(a.removed_at, 'infinity') > paying.since
),
changes AS (
    SELECT since AS at, cents FROM pieces
    UNION ALL
    SELECT until, -cents FROM pieces WHERE until IS NOT NULL
)
SELECT GREATEST(at, %(start)s)::date AS day, SUM(cents)
FROM changes WHERE at <= %(now)s
GROUP BY 1
"""

_ACTIVE_AT_SQL = """
SELECT COUNT(DISTINCT subscription_id) FROM (
    SELECT subscription_id, to_status,
           ROW_NUMBER() OVER (PARTITION BY subscription_id ORDER BY created_at DESC, id DESC) AS n
    FROM subscriptions_subscriptionevent WHERE created_at < %(at)s
) latest WHERE n = 1 AND to_status IN ('active', 'past_due')
"""


def _mrr_series(first_day: date, days: int, start: datetime, now: datetime) -> dict[date, int]:
    """Return the MRR at the end of each day of the period (at ``now`` for today)."""
    prices = ", ".join(f"('{tier}', '{cycle}', {cents})" for tier, cycle, cents in PRICES)
    with connection.cursor() as cursor:
        cursor.execute(_MRR_CHANGES_SQL.format(prices=prices), {"start": start, "now": now})
        changes = dict(cursor.fetchall())
    series, running = {}, 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        running += int(changes.get(day, 0))
        series[day] = running
    return series


def active_at(moment: datetime) -> int:
    """Return how many subscriptions were active or past due at ``moment``, from their history."""
    with connection.cursor() as cursor:
        cursor.execute(_ACTIVE_AT_SQL, {"at": moment})
        return cursor.fetchone()[0]


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def growth_metrics(*, period: str, now: datetime | None = None) -> dict:
    """Return daily signups, MRR, trial conversions and cancellations over ``period`` (7d, 30d or 90d).

    Also return the period's totals, churn rate and trial conversion rate (see the module's definitions).
    """
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}; use one of {', '.join(PERIODS)}.")
    now = now or timezone.now()
    first_day, start = _period_bounds(PERIODS[period], now)
    signups = dict(
        Organization.objects.filter(created_at__gte=start, created_at__lte=now)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    events = {
        row["day"]: row
        for row in SubscriptionEvent.objects.filter(created_at__gte=start, created_at__lte=now)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(
            converted=Count("id", filter=Q(from_status=Status.TRIALING, to_status=Status.ACTIVE)),
            trials_ended=Count("id", filter=Q(from_status=Status.TRIALING) & ~Q(to_status=Status.TRIALING)),
            cancelled=Count(
                "id", filter=Q(to_status=Status.CANCELLED) & ~Q(from_status__in=[Status.TRIALING, Status.CANCELLED])
            ),
        )
    }
    mrr = _mrr_series(first_day, PERIODS[period], start, now)
    active_at_start = active_at(start)
    series = []
    for offset in range(PERIODS[period]):
        day = first_day + timedelta(days=offset)
        row = events.get(day, {})
        series.append(
            {
                "date": day.isoformat(),
                "signups": signups.get(day, 0),
                "mrr_cents": mrr.get(day, 0),
                "trial_conversions": row.get("converted", 0),
                "trials_ended": row.get("trials_ended", 0),
                "cancellations": row.get("cancelled", 0),
            }
        )
    totals = {key: sum(s[key] for s in series) for key in ("signups", "trial_conversions", "trials_ended", "cancellations")}
    return {
        "period": period,
        "start": start.isoformat(),
        "end": now.isoformat(),
        "series": series,
        "totals": totals,
        "active_at_start": active_at_start,
        "churn_rate": _ratio(totals["cancellations"], active_at_start),
        "trial_conversion_rate": _ratio(totals["trial_conversions"], totals["trials_ended"]),
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
