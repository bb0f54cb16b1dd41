"""Every metrics table and series as rows for a CSV download (the API's ``/metrics/csv/<table>``, the console's link).

Each table is built from the same function the JSON comes from, so the two never disagree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone

from platform_admin.metrics.cohorts import retention_cohorts
from platform_admin.metrics.growth import growth_metrics
from platform_admin.metrics.ledger import MOVEMENTS, trial_conversion_cohorts
from platform_admin.metrics.overview import overview_metrics
from unison.csv_text import formula_quoted

Rows = tuple[list[str], list[list]]


TRIALS_HEADER = ["organization_id", "organization_name", "tier", "trial_ends_at"]


def _records(records: list[dict], header: list[str] | None = None) -> Rows:
    header = list(records[0]) if records else header or []
    return header, [[record[key] for key in header] for record in records]


def _figures(prefix: str, value) -> list[list]:
    """Return (name, value) rows of the scalars in ``value``, nested names joined by dots; lists left out."""
    if isinstance(value, dict):
        return [row for key, item in value.items() for row in _figures(f"{prefix}.{key}" if prefix else key, item)]
    return [] if isinstance(value, list) else [[prefix, value]]


def _overview(params: dict) -> Rows:
    return ["figure", "value"], _figures("", overview_metrics(period=params["period"], now=params["now"]))


def _overview_list(key: str, header: list[str] | None = None) -> Callable[[dict], Rows]:
    return lambda params: _records(overview_metrics(period=params["period"], now=params["now"])[key], header)


def _growth_list(key: str) -> Callable[[dict], Rows]:
    return lambda params: _records(growth_metrics(period=params["period"], now=params["now"])[key])


def _movements(params: dict) -> Rows:
    moves = growth_metrics(period=params["period"], now=params["now"])["movements"]
    rows = [[kind, moves[kind]["cents"], moves[kind]["count"]] for kind in MOVEMENTS]
    return ["movement", "cents", "count"], [*rows, ["net", moves["net_cents"], ""]]


def _operator_actions(params: dict) -> Rows:
    activity = overview_metrics(period=params["period"], now=params["now"])["operator_activity"]
    return ["action", "entries"], [[action, count] for action, count in activity["by_action"].items()]


def _retention(params: dict) -> Rows:
    table = retention_cohorts(start=params.get("start"), months=params.get("months"), now=params["now"])
    header = ["cohort", "signups", "months_since_signup", "customers", "customers_rate", "mrr_cents", "mrr_rate"]
    return header, [[cohort["month"], cohort["signups"], *(cell[key] for key in header[2:])]
                    for cohort in table["cohorts"] for cell in cohort["cells"]]


def _trial_conversion(params: dict) -> Rows:
    return _records(trial_conversion_cohorts(months=params.get("months") or 12, now=params["now"]))


TABLES: dict[str, Callable[[dict], Rows]] = {
    "figures": _overview,
    "by_tier": _overview_list("by_tier"),
    "by_billing_cycle": _overview_list("by_billing_cycle"),
    "by_currency": _overview_list("by_currency"),
    "usage_by_tier": _overview_list("usage_by_tier"),
    "trials_ending": _overview_list("trials_ending", TRIALS_HEADER),
    "operator_actions": _operator_actions,
    "daily": _growth_list("series"),
    "weekly": _growth_list("weekly"),
    "monthly": _growth_list("monthly"),
    "movements": _movements,
    "retention_cohorts": _retention,
    "trial_conversion_cohorts": _trial_conversion,
}


def metrics_table(name: str, *, period: str = "30d", start: date | None = None, months: int | None = None,
                  now: datetime | None = None) -> Rows:
    """Return the header and rows of table ``name`` (one of ``TABLES``) for the period or cohort range given."""
    return TABLES[name]({"period": period, "start": start, "months": months, "now": now or timezone.now()})


def _cell(value):
    """Return ``value`` for a CSV cell: None as empty, text that a spreadsheet would run as a formula quoted."""
    if value is None:
        return ""
    return formula_quoted(value)


def csv_download(name: str, rows: Rows, *, suffix: str) -> HttpResponse:
    """Return ``rows`` as a CSV attachment named ``unison-<name>-<suffix>.csv``."""
    header, body = rows
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in body)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="unison-{name}-{suffix}.csv"'
    return response
