"""Signups per day, week and month, trials ending, usage by tier and operators' activity, by hand.

NOW is Tuesday 30 June 2026, 12:00 UTC: its ISO week began on Monday 29 June.
"""

from __future__ import annotations

from datetime import timedelta

from platform_admin import metrics
from platform_admin.models import AuditEntry
from subscriptions import catalog
from tests.platform_admin.test_metrics import NOW, OrganizationFactory, SubscriptionFactory, at, usage  # noqa: F401


def test_signups_today_this_week_and_this_month(db):
    for moment in ("2026-06-30 09:00", "2026-06-29 10:00", "2026-06-28 23:59", "2026-05-31 23:00",
                   "2026-06-30 12:01"):  # the last is after NOW: not yet
        OrganizationFactory(created_at=at(moment))
    assert metrics.signup_counts(now=NOW) == {"today": 1, "this_week": 2, "this_month": 3}
    series = metrics.growth_metrics(period="7d", now=NOW)
    weekly = {row["week_start"]: row["signups"] for row in series["weekly"]}
    assert len(weekly) == 12 and list(weekly)[0] == "2026-04-13" and list(weekly)[-1] == "2026-06-29"
    assert (weekly["2026-06-29"], weekly["2026-06-22"], weekly["2026-05-25"]) == (2, 1, 1)  # Sunday 28th: last week
    assert sum(weekly.values()) == 4
    monthly = {row["month"]: row["signups"] for row in series["monthly"]}
    assert (monthly["2026-06"], monthly["2026-05"], len(monthly)) == (3, 1, 12)
    daily = {row["date"]: row["signups"] for row in series["series"]}
    assert (daily["2026-06-28"], daily["2026-06-29"], daily["2026-06-30"]) == (1, 1, 1)


def test_trials_ending_in_the_next_seven_days(db):
    for hours, status in ((1, "trialing"), (7 * 24 - 1, "trialing"), (7 * 24, "trialing"), (-1, "trialing"),
                          (48, "active")):
        SubscriptionFactory(status=status, trial_ends_at=NOW + timedelta(hours=hours),
                            organization__name=f"{status} {hours}h")
    figures = metrics.overview_metrics(period="7d", now=NOW)
    # In [now, now + 7 days): the 1 h and the 167 h trials; the one ending in exactly 7 days, the one that ended an
    # hour ago and the active subscription are not.
    assert figures["trials_ending_7d"] == 2
    assert [row["organization_name"] for row in figures["trials_ending"]] == ["trialing 1h", "trialing 167h"]


def test_usage_by_tier_sums_each_tiers_latest_snapshots(usage):  # noqa: F811
    rows = {row["tier"]: row for row in metrics.usage_by_tier()}
    assert list(rows) == list(catalog.TIERS)
    assert rows["starter"] == {"tier": "starter", "organizations": 1, "users": 2, "plants": 1,
                               "storage_bytes": catalog.GB}  # A's older snapshot (10 users) is history
    # B (30 users, 2 plants, 5 GB) and D (26, 6, 0), both professional.
    assert rows["professional"] == {"tier": "professional", "organizations": 2, "users": 56, "plants": 8,
                                    "storage_bytes": 5 * catalog.GB}
    assert rows["enterprise"] == {"tier": "enterprise", "organizations": 1, "users": 500, "plants": 4,
                                  "storage_bytes": 300 * catalog.GB}


def entry(action: str, when: str, *, operator: bool = True):
    return AuditEntry.objects.create(actor_id=7 if operator else None, actor_email="op@unison.test" if operator else
                                     "mia@acme.example.com", action=action, target_type="organization", target_id="1",
                                     organization_id=1, created_at=at(when))


def test_impersonations_and_admin_actions_per_period_and_day(db):
    entry("impersonation_start", "2026-06-03 09:00")
    entry("impersonation_end", "2026-06-03 09:30")
    for minute in ("10", "11", "12"):
        entry("impersonated_write", f"2026-06-03 09:{minute}")
    entry("subscription_extend_trial", "2026-06-05")
    entry("impersonation_start", "2026-06-10 08:00")
    entry("subscription_suspend", "2026-06-10 09:00")
    entry("organization_update", "2026-06-10 10:00")
    entry("export_request", "2026-06-12", operator=False)  # a workspace user's own export
    entry("subscription_comp", "2026-05-31 23:59")  # before the period
    june = metrics.overview_metrics(period="30d", now=NOW)["operator_activity"]
    # Sessions: the two starts. Admin actions: the two starts, extend, suspend, update (the end and the writes
    # record what happened; the export is not an operator's).
    assert (june["impersonation_sessions"], june["admin_actions"], june["impersonated_writes"]) == (2, 5, 3)
    assert june["by_action"] == {"impersonated_write": 3, "impersonation_end": 1, "impersonation_start": 2,
                                 "organization_update": 1, "subscription_extend_trial": 1, "subscription_suspend": 1}
    days = {row["date"]: (row["impersonations"], row["admin_actions"])
            for row in metrics.growth_metrics(period="30d", now=NOW)["series"]}
    assert (days["2026-06-03"], days["2026-06-05"], days["2026-06-10"], days["2026-06-12"]) == ((1, 1), (0, 1), (1, 3),
                                                                                                (0, 0))
    week = metrics.growth_metrics(period="7d", now=NOW)["operator_activity"]
    assert (week["impersonation_sessions"], week["admin_actions"], week["by_action"]) == (0, 0, {})
