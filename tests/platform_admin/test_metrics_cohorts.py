"""The retention cohort table on the ledger of ``test_metrics``, worked out by hand, and its range checks."""

from __future__ import annotations

from datetime import date

import pytest

from platform_admin import metrics
from tests.platform_admin.test_metrics import NOW, ledger  # noqa: F401  (the ledger fixture)
from unison.errors import ApplicationError


def cells(table: dict, month: str) -> list[tuple]:
    """Return the cohort's cells as (customers, customers_rate, mrr_cents, mrr_rate), month 0 first."""
    [cohort] = [c for c in table["cohorts"] if c["month"] == month]
    return [(c["customers"], c["customers_rate"], c["mrr_cents"], c["mrr_rate"]) for c in cohort["cells"]]


def test_the_retention_table_equals_the_hand_worked_cohorts(ledger):  # noqa: F811
    table = metrics.retention_cohorts(now=NOW)
    # Unset: the last 12 months that have signups, which begin with F in December 2025.
    assert (table["start"], table["months"], table["first_signup_month"]) == ("2025-12", 7, "2025-12")
    assert [(c["month"], c["signups"]) for c in table["cohorts"]] == [
        ("2025-12", 1), ("2026-01", 2), ("2026-02", 2), ("2026-03", 2), ("2026-04", 1), ("2026-05", 4), ("2026-06", 3)]
    # F: paid from December, cancelled in April, back on 20 June.
    assert cells(table, "2025-12") == [(1, 1.0, 4900, 1.0)] * 4 + [(0, 0.0, 0, 0.0)] * 2 + [(1, 1.0, 4900, 1.0)]
    # E 4900 + G 19900 from January; E cancelled in June (G's suspension was over by the month's end).
    assert cells(table, "2026-01") == [(2, 1.0, 24800, 1.0)] * 5 + [(1, 0.5, 19900, 0.8024)]
    # D 99900 + K 4900 from February; D down to 19900 in June: 24800 / 104800.
    assert cells(table, "2026-02") == [(2, 1.0, 104800, 1.0)] * 4 + [(2, 1.0, 24800, 0.2366)]
    # C from March (19900, the base), O from April (+4900), C's add-on in June (+2500): O past due still pays.
    assert cells(table, "2026-03") == [(1, 0.5, 19900, 1.0), (2, 1.0, 24800, 1.2462), (2, 1.0, 24800, 1.2462),
                                       (2, 1.0, 27300, 1.3719)]
    assert cells(table, "2026-04") == [(0, 0.0, 0, None)] * 3  # J never paid (a comp is 0 MRR)
    # A 4900 + B 17910 + L 15920 converted in June, the month after signing up; H's trial lapsed.
    assert cells(table, "2026-05") == [(0, 0.0, 0, None), (3, 0.75, 38730, 1.0)]
    assert cells(table, "2026-06") == [(1, 0.3333, 4900, 1.0)]  # P; I and N still trialing


def test_a_range_of_cohorts_is_taken_as_asked(ledger):  # noqa: F811
    table = metrics.retention_cohorts(start=date(2026, 2, 1), months=2, now=NOW)
    assert [c["month"] for c in table["cohorts"]] == ["2026-02", "2026-03"]
    assert len(table["cohorts"][0]["cells"]) == 5  # February to June
    last_three = metrics.retention_cohorts(months=3, now=NOW)
    assert [c["month"] for c in last_three["cohorts"]] == ["2026-04", "2026-05", "2026-06"]


@pytest.mark.parametrize(
    "start, months, field",
    [
        (date(2025, 11, 1), None, "start"),  # before the first signup (December 2025)
        (date(2026, 7, 1), None, "start"),  # after this month
        (date(2026, 5, 1), 3, "months"),  # May, June, July: July has not come
        (None, 8, "months"),  # eight months back from June is November 2025: no signups then
    ],
)
def test_a_range_beyond_the_data_is_refused_naming_the_field(ledger, start, months, field):  # noqa: F811
    with pytest.raises(ApplicationError) as refused:
        metrics.retention_cohorts(start=start, months=months, now=NOW)
    assert refused.value.field == field and refused.value.status == 400


def test_without_signups_there_is_no_table_and_no_range(db):
    assert metrics.retention_cohorts(now=NOW)["cohorts"] == []
    with pytest.raises(ApplicationError, match="No organisation"):
        metrics.retention_cohorts(start=date(2026, 6, 1), now=NOW)
