"""Platform metrics on a hand-built set of organisations equal the numbers worked out by hand.

Organisations here are rows only (no schemas): metrics read public tables and nothing else.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platform_admin import metrics
from subscriptions import catalog
from subscriptions.models import Subscription, SubscriptionAddOn, SubscriptionEvent, UsageSnapshot
from tenants.models import Organization

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
GB = catalog.GB
_numbers = itertools.count(1)


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


def build(name: str, *, created: float, tier: str, status: str, cycle: str = "monthly", history=()):
    """Create an organisation (row only), its subscription and its event history.

    ``history`` is (transition, from, to, days ago); the trial's start is added at ``created``.
    """
    n = next(_numbers)
    org = Organization.objects.create(
        name=name, slug=f"m{n}-{name.lower()}", schema_name=f"m{n}_{name.lower()}", email=f"{n}@example.com",
        created_at=days_ago(created),
    )
    sub = Subscription.objects.create(
        organization=org, tier=tier, status=status, billing_cycle=cycle, created_at=days_ago(created),
        trial_starts_at=days_ago(created), trial_ends_at=days_ago(created - 14),
    )
    events = [("start_trial", "trialing", "trialing", created), *history]
    for transition, source, target, ago in events:
        SubscriptionEvent.objects.create(
            subscription=sub, transition=transition, from_status=source, to_status=target, created_at=days_ago(ago)
        )
    return org, sub


def snapshot(org, *, users: int, plants: int, storage: int, ago: float):
    UsageSnapshot.objects.create(organization=org, users=users, plants=plants, storage_bytes=storage, measured_at=days_ago(ago))


@pytest.fixture
def platform(db):
    """Seven organisations whose figures are worked out by hand in the tests below."""
    a, _ = build("A", created=100, tier="starter", status="active", history=[("convert", "trialing", "active", 86)])
    b, b_sub = build(
        "B", created=60, tier="professional", status="active", cycle="annual",
        history=[("convert", "trialing", "active", 46)],
    )
    SubscriptionAddOn.objects.create(subscription=b_sub, kind="extra_user", quantity=2, unit_price_cents=500, created_at=days_ago(40))
    # A removed add-on counts for nothing now.
    SubscriptionAddOn.objects.create(
        subscription=b_sub, kind="extra_plant", quantity=1, unit_price_cents=2500, created_at=days_ago(45), removed_at=days_ago(44)
    )
    c, _ = build(
        "C", created=200, tier="enterprise", status="past_due",
        history=[("convert", "trialing", "active", 186), ("payment_failed", "active", "past_due", 2)],
    )
    d, _ = build("D", created=5, tier="professional", status="trialing")
    build("E", created=20, tier="professional", status="suspended", history=[("expire_trial", "trialing", "suspended", 6)])
    build(
        "F", created=120, tier="starter", status="cancelled",
        history=[("convert", "trialing", "active", 106), ("cancel", "active", "cancelled", 10)],
    )
    build("G", created=25, tier="professional", status="active", history=[("convert", "trialing", "active", 11)])
    snapshot(a, users=10, plants=3, storage=0, ago=3)  # older: ignored
    snapshot(a, users=2, plants=1, storage=1 * GB, ago=1)
    snapshot(b, users=30, plants=2, storage=5 * GB, ago=1)
    snapshot(c, users=500, plants=4, storage=300 * GB, ago=1)
    snapshot(d, users=26, plants=6, storage=0, ago=1)
    return {"A": a, "B": b, "C": c, "D": d}


def test_headline_figures_equal_the_hand_worked_numbers(platform):
    figures = metrics.platform_metrics()
    # A starter monthly 4900; B professional annual 19900*12*90% = 214920 / 12 = 17910, plus 2 extra users × 500;
    # C enterprise past due 99900; G professional monthly 19900. D (trial), E (suspended), F (cancelled) count 0.
    mrr = 4900 + (17910 + 2 * 500) + 99900 + 19900
    assert figures["mrr_cents"] == mrr == 143610
    assert figures["arr_cents"] == 12 * mrr
    assert figures["organizations"] == 7
    assert figures["active_subscriptions"] == 4  # A, B, C (past due), G
    assert figures["trials"] == 1  # D
    assert (figures["past_due"], figures["suspended"], figures["cancelled"]) == (1, 1, 1)
    # Latest snapshots only: A 2 (not 10), B 30, C 500, D 26 users; 1 + 2 + 4 + 6 plants.
    assert figures["users"] == 2 + 30 + 500 + 26
    assert figures["plants"] == 1 + 2 + 4 + 6
    assert figures["storage_bytes"] == (1 + 5 + 300) * GB


def test_thirty_day_growth_equals_the_hand_worked_numbers(platform):
    growth = metrics.growth_metrics(period="30d", now=NOW)
    assert len(growth["series"]) == 30
    assert growth["series"][0]["date"] == "2026-06-01" and growth["series"][-1]["date"] == "2026-06-30"
    # Signed up since 1 June: D (5 days ago), E (20), G (25).
    assert growth["totals"]["signups"] == 3
    # Active at the start (1 June 00:00): A, B, C and F (cancelled 10 days ago); G converted later.
    assert growth["active_at_start"] == 4
    # Cancelled in the period: F. Churn = 1 / 4.
    assert growth["totals"]["cancellations"] == 1
    assert growth["churn_rate"] == 0.25
    # Trials ended in the period: G converted (11 days ago), E expired (6 days ago). Conversion = 1 / 2.
    assert (growth["totals"]["trial_conversions"], growth["totals"]["trials_ended"]) == (1, 2)
    assert growth["trial_conversion_rate"] == 0.5
    # MRR at the end of 1 June: A 4900 + B 18910 + C 99900 + F 4900 (still active then).
    assert growth["series"][0]["mrr_cents"] == 4900 + 18910 + 99900 + 4900
    # Today: as the headline figure (F gone, G in).
    assert growth["series"][-1]["mrr_cents"] == 143610
    by_date = {row["date"]: row for row in growth["series"]}
    assert by_date["2026-06-19"]["trial_conversions"] == 1  # G, 11 days before 30 June
    assert by_date["2026-06-20"]["cancellations"] == 1  # F
    assert by_date["2026-06-25"]["signups"] == 1  # D


def test_seven_day_growth_equals_the_hand_worked_numbers(platform):
    growth = metrics.growth_metrics(period="7d", now=NOW)
    assert [row["date"] for row in growth["series"]][0] == "2026-06-24"
    assert growth["totals"]["signups"] == 1  # D
    assert growth["active_at_start"] == 4  # A, B, C, G; F left on 20 June
    assert growth["churn_rate"] == 0.0
    assert (growth["totals"]["trial_conversions"], growth["totals"]["trials_ended"]) == (0, 1)  # E expired
    assert growth["trial_conversion_rate"] == 0.0


def test_past_mrr_prices_each_day_at_the_plan_the_subscription_had_that_day(db):
    starter, professional = catalog.TIERS["starter"], catalog.TIERS["professional"]
    org, sub = build("Upgrader", created=40, tier="professional", status="active")
    SubscriptionEvent.objects.filter(subscription=sub).update(tier="professional", billing_cycle="monthly")
    for transition, source, target, ago, tier, cycle in (
        ("convert", "trialing", "active", 26, "starter", "monthly"),  # 4 June, noon
        ("change_plan", "active", "active", 15.5, "starter", "annual"),  # 15 June, 00:00
        ("change_tier", "active", "active", 5.5, "professional", "annual"),  # 25 June, 00:00
    ):
        SubscriptionEvent.objects.create(subscription=sub, transition=transition, from_status=source,
                                         to_status=target, tier=tier, billing_cycle=cycle, created_at=days_ago(ago))
    Subscription.objects.filter(pk=sub.pk).update(billing_cycle="annual")

    by_date = {row["date"]: row["mrr_cents"] for row in metrics.growth_metrics(period="30d", now=NOW)["series"]}

    assert by_date["2026-06-03"] == 0  # still trialing
    assert by_date["2026-06-04"] == by_date["2026-06-14"] == starter.monthly_equivalent_cents("monthly")
    assert by_date["2026-06-15"] == by_date["2026-06-24"] == starter.monthly_equivalent_cents("annual")
    assert by_date["2026-06-25"] == by_date["2026-06-30"] == professional.monthly_equivalent_cents("annual")
    assert metrics.platform_metrics()["mrr_cents"] == by_date["2026-06-30"]


def test_rates_are_none_when_nothing_to_divide_by(db):
    growth = metrics.growth_metrics(period="90d", now=NOW)
    assert growth["churn_rate"] is None and growth["trial_conversion_rate"] is None
    assert len(growth["series"]) == 90


def test_an_unknown_period_is_refused(db):
    with pytest.raises(ValueError, match="5d"):
        metrics.growth_metrics(period="5d")


def test_top_organizations_rank_by_the_latest_snapshot(platform):
    names = [row.organization.name for row in metrics.top_organizations(metric="users")]
    assert names == ["C", "B", "D", "A"]
    assert [row.organization.name for row in metrics.top_organizations(metric="storage", limit=2)] == ["C", "B"]


def test_violations_list_organizations_over_their_limits_add_ons_included(platform):
    rows = {row.organization.name: row for row in metrics.limit_violations()}
    # B: 30 users > 25 + 2 extra; D: 26 users > 25 and 6 plants > 5. A's older snapshot (10 users) is history.
    assert set(rows) == {"B", "D"}
    assert (rows["B"].user_limit, rows["D"].plant_limit) == (27, 5)
    assert rows["B"].storage_limit == 100 * GB


def _bulk(count: int) -> None:
    start = next(_numbers) * 10_000
    orgs = Organization.objects.bulk_create(
        Organization(name=f"Bulk {i}", slug=f"bulk-{i}", schema_name=f"bulk_{i}", email="b@example.com", created_at=days_ago(i % 80))
        for i in range(start, start + count)
    )
    subs = Subscription.objects.bulk_create(
        Subscription(organization=o, tier=["starter", "professional"][i % 2], status=["active", "trialing"][i % 2])
        for i, o in enumerate(orgs)
    )
    SubscriptionEvent.objects.bulk_create(
        SubscriptionEvent(subscription=s, transition="convert", from_status="trialing", to_status=s.status, created_at=days_ago(3))
        for s in subs
    )
    SubscriptionAddOn.objects.bulk_create(SubscriptionAddOn(subscription=s, kind="extra_user", unit_price_cents=500) for s in subs)
    UsageSnapshot.objects.bulk_create(UsageSnapshot(organization=o, users=9, plants=2, storage_bytes=10) for o in orgs)


def _queries_of_everything() -> int:
    with CaptureQueriesContext(connection) as captured:
        metrics.platform_metrics()
        metrics.growth_metrics(period="90d")
        metrics.top_organizations(metric="plants")
        metrics.limit_violations()
        list(metrics.trials_expiring())
        list(metrics.recent_signups())
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_number_of_organizations(db):
    _bulk(5)
    with_five = _queries_of_everything()
    _bulk(45)
    assert Organization.objects.count() == 50
    assert _queries_of_everything() == with_five
