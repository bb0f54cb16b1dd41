"""The windows the metrics are read over: rolling periods of whole UTC days, ISO weeks, UTC months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

PERIODS = {"7d": 7, "30d": 30, "90d": 90}


def midnight(day: date) -> datetime:
    """Return 00:00 UTC of ``day``."""
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def period_bounds(period: str, now: datetime) -> tuple[date, datetime]:
    """Return the first UTC day of ``period`` (7d, 30d or 90d: that many days ending today) and the instant it starts.

    Raise ValueError for another period.
    """
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}; use one of {', '.join(PERIODS)}.")
    first_day = now.astimezone(UTC).date() - timedelta(days=PERIODS[period] - 1)
    return first_day, midnight(first_day)


def days_window(first_day: date, last_day: date, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return the instants that bound whole UTC days ``first_day`` to ``last_day``: the first's 00:00 and
    the 00:00 after the last (or ``now``, if sooner)."""
    now = now or timezone.now()
    start, end = midnight(first_day), midnight(last_day + timedelta(days=1))
    return start, max(start, min(end, now))


def month_index(day: date | datetime) -> int:
    """Return the month of ``day`` as a count of months (year × 12 + month − 1), for month arithmetic."""
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    """Return the first day of the month ``index`` (see ``month_index``)."""
    return date(index // 12, index % 12 + 1, 1)


def week_start(day: date) -> date:
    """Return the Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())
