"""The retention cohort table: signup month × months since signup, customers and MRR retained.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db.models import Min
from django.db.models.functions import TruncMonth
from django.utils import timezone

from platform_admin.metrics.ledger import HISTORY_CTE, fetch_rows, ratio, signup_buckets
from platform_admin.metrics.periods import midnight, month_index, month_of
from subscriptions.models import Subscription
from tenants.models import Organization
from unison.errors import ApplicationError

DEFAULT_COHORTS = 12

# Per signup month and event month: the change to the cohort's MRR and to its number of paying customers.
_COHORT_SQL = f"""
WITH {HISTORY_CTE}
SELECT (date_trunc('month', o.created_at AT TIME ZONE 'UTC'))::date,
       (date_trunc('month', h.created_at AT TIME ZONE 'UTC'))::date,
       SUM(h.mrr - h.previous), SUM((h.mrr > 0)::int - (h.previous > 0)::int)
FROM history h
JOIN {Subscription._meta.db_table} s ON s.id = h.subscription_id
JOIN {Organization._meta.db_table} o ON o.id = s.organization_id
WHERE o.created_at >= %(first)s AND o.created_at < %(after)s
GROUP BY 1, 2
"""


def _label(index: int) -> str:
    return month_of(index).strftime("%Y-%m")


def cohort_range(*, start: date | None, months: int | None, first: int | None, current: int) -> tuple[int, int]:
    """Return the first cohort (a month index) and how many, from what was asked and the months that have signups.

    Unset, the range is the last 12 months that have signups. Raise ApplicationError naming
    ``start`` or ``months`` when the range reaches before the first signup or past this month.
    """
    if first is None:
        if start is not None or months is not None:
            raise ApplicationError("No organisation has signed up yet: there are no cohorts.",
                                   field="start" if start is not None else "months")
        return current, 0
    if start is None:
        if months is None:
            begin = max(first, current - DEFAULT_COHORTS + 1)
            return begin, current - begin + 1
        if current - months + 1 < first:
            raise ApplicationError(f"Signups begin in {_label(first)}: ask for {current - first + 1} months at most.",
                                   field="months")
        return current - months + 1, months
    begin = month_index(start)
    if begin > current:
        raise ApplicationError(f"The cohorts start after this month ({_label(current)}).", field="start")
    if begin < first:
        raise ApplicationError(f"No organisation signed up before {_label(first)}: start there or later.",
                               field="start")
    months = current - begin + 1 if months is None else months
    if begin + months - 1 > current:
        raise ApplicationError(f"From {_label(begin)} there are {current - begin + 1} months up to this one: "
                               f"ask for that many at most.", field="months")
    return begin, months


def retention_cohorts(*, start: date | None = None, months: int | None = None, now: datetime | None = None) -> dict:
    """Return the retention table of the signup cohorts from ``start`` (a month), ``months`` of them.

    Each cohort: month (YYYY-MM), signups, and one cell per month since signup up to this one:
    customers (paying at that month's end; this month: now), customers_rate (of the signups),
    mrr_cents (their MRR then) and mrr_rate (against the cohort's first month end with any MRR).
    """
    now = now or timezone.now()
    current = month_index(now.astimezone(UTC))
    first_signup = Organization.objects.aggregate(first=Min("created_at"))["first"]
    first = month_index(first_signup.astimezone(UTC)) if first_signup else None
    begin, count = cohort_range(start=start, months=months, first=first, current=current)
    window = {"first": midnight(month_of(begin)), "after": midnight(month_of(begin + count)), "end": now}
    changes: dict[date, dict[int, tuple[int, int]]] = {}
    for cohort, month, mrr, customers in fetch_rows(_COHORT_SQL, window) if count else []:
        changes.setdefault(cohort, {})[month_index(month)] = (int(mrr), int(customers))
    signups = signup_buckets(TruncMonth, start=window["first"], now=min(now, window["after"])) if count else {}
    cohorts = []
    for index in range(begin, begin + count):
        month = month_of(index)
        size = signups.get(midnight(month), (0,))[0]
        moves, mrr, customers, base, cells = changes.get(month, {}), 0, 0, 0, []
        # Changes before the signup month (none in a sane ledger) fold into month 0.
        for earlier in (m for m in moves if m < index):
            mrr, customers = mrr + moves[earlier][0], customers + moves[earlier][1]
        for since in range(current - index + 1):
            change = moves.get(index + since, (0, 0))
            mrr, customers = mrr + change[0], customers + change[1]
            base = base or mrr
            cells.append({"months_since_signup": since, "customers": customers, "customers_rate": ratio(customers, size),
                          "mrr_cents": mrr, "mrr_rate": ratio(mrr, base)})
        cohorts.append({"month": _label(index), "signups": size, "cells": cells})
    return {"start": _label(begin) if count else None, "months": count,
            "first_signup_month": _label(first) if first is not None else None, "cohorts": cohorts}
