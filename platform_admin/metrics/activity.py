"""Operators' activity from the audit log, trials about to end, and signups counted by day, week and month.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from platform_admin.metrics.ledger import signup_buckets
from platform_admin.metrics.periods import midnight, month_index, month_of, week_start
from platform_admin.models import AuditEntry
from subscriptions.models import Status, Subscription
from tenants.models import Organization

IMPERSONATION_START = "impersonation_start"
# Entries that record what happened during or after an impersonation rather than an operator's decision.
NOT_ADMIN_ACTIONS = ("impersonation_end", "impersonated_write")
TRIALS_ENDING_DAYS = 7


def operator_activity(start: datetime, end: datetime) -> dict:
    """Return the impersonation sessions and admin actions of the audit log after ``start`` up to ``end``.

    Keys: ``impersonation_sessions``, ``admin_actions``, ``impersonated_writes``, ``by_action``
    ({action: entries}, operators' entries only) and ``by_day`` ({date: {"impersonations",
    "admin_actions"}}, UTC days that had any).
    """
    operator = Q(actor_id__isnull=False)
    rows = (
        AuditEntry.objects.filter(created_at__gt=start, created_at__lte=end)
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day", "action")
        .annotate(
            entries=Count("id"),
            impersonations=Count("id", filter=Q(action=IMPERSONATION_START)),
            admin=Count("id", filter=operator & ~Q(action__in=NOT_ADMIN_ACTIONS)),
            by_operators=Count("id", filter=operator),
        )
        .order_by()
    )
    by_day: dict[date, dict] = {}
    by_action: dict[str, int] = {}
    writes = 0
    for row in rows:
        day = by_day.setdefault(row["day"], {"impersonations": 0, "admin_actions": 0})
        day["impersonations"] += row["impersonations"]
        day["admin_actions"] += row["admin"]
        if row["by_operators"]:
            by_action[row["action"]] = by_action.get(row["action"], 0) + row["by_operators"]
        writes += row["entries"] if row["action"] == "impersonated_write" else 0
    return {
        "impersonation_sessions": sum(day["impersonations"] for day in by_day.values()),
        "admin_actions": sum(day["admin_actions"] for day in by_day.values()),
        "impersonated_writes": writes,
        "by_action": dict(sorted(by_action.items())),
        "by_day": by_day,
    }


def trials_expiring(*, days: int = TRIALS_ENDING_DAYS, now: datetime | None = None):
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


def signup_counts(*, now: datetime | None = None) -> dict:
    """Return the organisations created today, this ISO week (from Monday) and this month, UTC, up to now."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    day, week, month = midnight(today), midnight(week_start(today)), midnight(today.replace(day=1))
    counts = Organization.objects.filter(created_at__gte=min(week, month), created_at__lte=now).aggregate(
        today=Count("id", filter=Q(created_at__gte=day)),
        this_week=Count("id", filter=Q(created_at__gte=week)),
        this_month=Count("id", filter=Q(created_at__gte=month)),
    )
    return counts


def signup_series(*, weeks: int = 12, months: int = 12, now: datetime | None = None) -> dict:
    """Return signups per ISO week (the last ``weeks``) and per UTC month (the last ``months``), oldest first.

    The current week and month count up to now.
    """
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    first_month = month_of(month_index(today) - months + 1)
    days = signup_buckets(TruncDate, start=midnight(min(first_week, first_month)), now=now)
    weekly = {first_week + timedelta(weeks=n): 0 for n in range(weeks)}
    monthly = {month_of(month_index(first_month) + n): 0 for n in range(months)}
    for day, (signups, _converted, _trialing) in days.items():
        if day >= first_week:
            weekly[week_start(day)] += signups
        if day >= first_month:
            monthly[day.replace(day=1)] += signups
    return {
        "weekly": [{"week_start": week.isoformat(), "signups": n} for week, n in weekly.items()],
        "monthly": [{"month": month.strftime("%Y-%m"), "signups": n} for month, n in monthly.items()],
    }
