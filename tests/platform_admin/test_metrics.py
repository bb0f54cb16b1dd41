"""Platform metrics on a hand-built ledger equal the figures worked out by hand below.

Organisations here are rows only (no schemas): metrics read public tables and nothing else.
Subscriptions and their histories are written directly (not through the services), with
explicit ``created_at`` values: the history is append-only, so nothing is updated afterwards.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from datetime import UTC, datetime, timedelta

import factory
import pytest
from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from platform_admin import metrics
from subscriptions import catalog
from subscriptions.models import Subscription, SubscriptionAddOn, SubscriptionEvent, UsageSnapshot
from tenants.models import Organization

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
GB = catalog.GB
_numbers = itertools.count(1)


def at(moment: str) -> datetime:
    """Return the UTC instant of "YYYY-MM-DD" (noon) or "YYYY-MM-DD HH:MM"."""
    return datetime.fromisoformat(moment if " " in moment else f"{moment} 12:00").replace(tzinfo=UTC)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organisation row without a schema (the metrics never enter one)."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"metrics-{n}-{next(_numbers)}")
    schema_name = factory.LazyAttribute(lambda o: o.slug.replace("-", "_"))
    email = factory.LazyAttribute(lambda o: f"owner@{o.slug}.example.com")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    organization = factory.SubFactory(OrganizationFactory)
    tier = "professional"
    status = "trialing"
    created_at = factory.LazyAttribute(lambda s: s.organization.created_at)


def customer(name: str, signed_up: str, *history, **subscription) -> Subscription:
    """Create an organisation signed up on ``signed_up``, its subscription as it is now, and its history.

    The history starts with ``start_trial`` (0) at signup, then each (transition, from, to, when, mrr).
    """
    organization = OrganizationFactory(name=name, created_at=at(signed_up))
    sub = SubscriptionFactory(organization=organization, **subscription)
    events = [("start_trial", "trialing", "trialing", signed_up, 0), *history]
    for transition, source, target, when, mrr in events:
        SubscriptionEvent.objects.create(subscription=sub, transition=transition, from_status=source, to_status=target,
                                         tier=sub.tier, billing_cycle=sub.billing_cycle, mrr_cents=mrr,
                                         created_at=at(when))
    return sub


PRO_ANNUAL = 214920 // 12  # 17910: Professional billed yearly, normalised to a month
PRO_DISCOUNTED = 19900 * 80 // 100  # 15920: Professional monthly with a 20 % coupon

# The ledger. MRR is what Stripe bills a month after each event (0 = not paying). Times are noon UTC.
#
# | who | signed up  | history (date: status, MRR after)                                        | now                    |
# |-----|------------|--------------------------------------------------------------------------|------------------------|
# | A   | 2026-05-20 | 06-03 convert: active 4900 (starter monthly)                             | active 4900            |
# | B   | 2026-05-25 | 06-08 convert: active 17910 (professional annual 214920 / 12)            | active 17910           |
# | C   | 2026-03-01 | 03-15 convert: 19900; 06-10 add-on (extra plant): 22400                  | active 22400, held     |
# | D   | 2026-02-01 | 02-15 convert: 99900 (enterprise); 06-12 downgrade to professional 19900 | active 19900           |
# | E   | 2026-01-10 | 01-24 convert: 4900; 06-05 cancel: cancelled 0                           | cancelled 0            |
# | F   | 2025-12-01 | 12-15 convert: 4900; 2026-04-10 cancel: 0; 06-20 resubscribe: 4900       | active 4900            |
# | G   | 2026-01-05 | 01-19 convert: 19900; 06-02 past due 19900; 06-09 suspended 0;           | active 19900           |
# |     |            | 06-16 payment recovered: active 19900 (a late payer)                     |                        |
# | H   | 2026-05-28 | 06-11 trial expired: suspended 0; 06-20 cancel: cancelled 0              | cancelled 0            |
# | I   | 2026-06-18 | 06-19 checkout, Stripe runs the trial with a card: trialing 0            | trialing 0             |
# | J   | 2026-04-01 | 04-15 trial expired: suspended 0; 06-05 an operator's comp: 0            | suspended 0, comped    |
# | K   | 2026-02-10 | 02-24 convert: 4900; a second live Stripe subscription flagged           | active 4900, duplicate |
# | L   | 2026-05-15 | 06-01 convert: professional monthly, 20 % off: 15920                     | active 15920           |
# | N   | 2026-06-25 | (trial, no card)                                                         | trialing 0             |
# | O   | 2026-03-20 | 04-03 convert: 4900; 06-25 payment failed: past due 4900                 | past due 4900          |
# | P   | 2026-06-02 | 06-16 convert: 4900                                                      | active 4900            |
#
# MRR now = A 4900 + B 17910 + C 22400 + D 19900 + F 4900 + G 19900 + K 4900 + L 15920 + O 4900 + P 4900
#         = 120530 (K once, not twice; I, J, N, E, H nothing).
# MRR at 2026-06-01 00:00 = C 19900 + D 99900 + E 4900 + G 19900 + K 4900 + O 4900 = 154400.
# MRR at 2026-06-15 00:00 = A 4900 + B 17910 + C 22400 + D 19900 + K 4900 + L 15920 + O 4900 = 90830
#                           (G suspended since 06-09, F and P not yet).
# MRR at 2026-04-05 00:00 = C 19900 + D 99900 + E 4900 + F 4900 + G 19900 + K 4900 + O 4900 = 159300.
# MRR at 2025-12-31 00:00 = F 4900.
#
# Movements from 2026-06-01 00:00 to NOW (2026-06-30 12:00):
#   new          L 15920 + A 4900 + B 17910 + P 4900 = +43630 (4)
#   expansion    C +2500                             =  +2500 (1)
#   contraction  D 99900 → 19900                     = −80000 (1)
#   churn        E −4900, G −19900                   = −24800 (2)
#   reactivation G +19900, F +4900                   = +24800 (2)
#   net          43630 + 2500 − 80000 − 24800 + 24800 = −33870 = 120530 − 154400
# Customer churn in June: paying on 1 June C, D, E, G, K, O (6); not paying now: E → 1 / 6.
#   Up to 12 June 00:00: E and G (suspended) → 2 / 6. H's lapse and cancel count nowhere: it never paid.
# Cohorts (signup month): 2025-12 F 1/1 · 2026-01 E, G 2/2 · 02 D, K 2/2 · 03 C, O 2/2 · 04 J 0/1 (a comp is
#   no conversion) · 05 A, B, H, L 3/4 · 06 I, N, P 1/3 with I and N still trialing.


@pytest.fixture
def ledger(db) -> dict[str, Subscription]:
    """The fifteen subscriptions of the table above."""
    convert, cancel = "convert", "cancel"
    return {
        "A": customer("A", "2026-05-20", (convert, "trialing", "active", "2026-06-03", 4900),
                      tier="starter", status="active", mrr_cents=4900, stripe_subscription_id="sub_a"),
        "B": customer("B", "2026-05-25", (convert, "trialing", "active", "2026-06-08", PRO_ANNUAL),
                      status="active", billing_cycle="annual", mrr_cents=PRO_ANNUAL, stripe_subscription_id="sub_b"),
        "C": customer("C", "2026-03-01", (convert, "trialing", "active", "2026-03-15", 19900),
                      ("set_add_on", "active", "active", "2026-06-10", 19900 + 2500),
                      status="active", mrr_cents=22400, held_at=at("2026-06-20"), hold_reason="Chargeback review"),
        "D": customer("D", "2026-02-01", (convert, "trialing", "active", "2026-02-15", 99900),
                      ("change_plan", "active", "active", "2026-06-12", 19900), status="active", mrr_cents=19900),
        "E": customer("E", "2026-01-10", (convert, "trialing", "active", "2026-01-24", 4900),
                      (cancel, "active", "cancelled", "2026-06-05", 0), tier="starter", status="cancelled"),
        "F": customer("F", "2025-12-01", (convert, "trialing", "active", "2025-12-15", 4900),
                      (cancel, "active", "cancelled", "2026-04-10", 0),
                      ("resubscribe", "cancelled", "active", "2026-06-20", 4900),
                      tier="starter", status="active", mrr_cents=4900),
        "G": customer("G", "2026-01-05", (convert, "trialing", "active", "2026-01-19", 19900),
                      ("payment_failed", "active", "past_due", "2026-06-02", 19900),
                      ("suspend_for_nonpayment", "past_due", "suspended", "2026-06-09", 0),
                      ("payment_recovered", "suspended", "active", "2026-06-16", 19900),
                      status="active", mrr_cents=19900),
        "H": customer("H", "2026-05-28", ("expire_trial", "trialing", "suspended", "2026-06-11", 0),
                      (cancel, "suspended", "cancelled", "2026-06-20", 0), status="cancelled"),
        "I": customer("I", "2026-06-18", ("checkout", "trialing", "trialing", "2026-06-19", 0),
                      tier="starter", status="trialing", stripe_subscription_id="sub_i"),
        "J": customer("J", "2026-04-01", ("expire_trial", "trialing", "suspended", "2026-04-15", 0),
                      ("comp", "suspended", "suspended", "2026-06-05", 0),
                      status="suspended", comp_tier="professional", comped_at=at("2026-06-05")),
        "K": customer("K", "2026-02-10", (convert, "trialing", "active", "2026-02-24", 4900),
                      tier="starter", status="active", mrr_cents=4900, stripe_subscription_id="sub_k",
                      extra_stripe_subscription_ids=["sub_k_second"]),
        "L": customer("L", "2026-05-15", (convert, "trialing", "active", "2026-06-01", PRO_DISCOUNTED),
                      status="active", mrr_cents=PRO_DISCOUNTED),
        "N": customer("N", "2026-06-25"),
        "O": customer("O", "2026-03-20", (convert, "trialing", "active", "2026-04-03", 4900),
                      ("payment_failed", "active", "past_due", "2026-06-25", 4900),
                      tier="starter", status="past_due", mrr_cents=4900),
        "P": customer("P", "2026-06-02", (convert, "trialing", "active", "2026-06-16", 4900),
                      tier="starter", status="active", mrr_cents=4900),
    }


MRR_NOW = 120530
JUNE = (at("2026-06-01 00:00"), NOW)


def test_mrr_now_sums_what_stripe_bills_and_the_counts_equal_the_table(ledger):
    figures = metrics.platform_metrics()
    assert figures["mrr_cents"] == MRR_NOW
    assert figures["arr_cents"] == 12 * MRR_NOW == 1_446_360
    assert figures["organizations"] == 15
    assert figures["active_subscriptions"] == 10  # A, B, C, D, F, G, K, L, P and O (past due)
    assert figures["paying_customers"] == 10
    assert figures["trials"] == 2  # I (card on file, 0 MRR) and N
    assert (figures["past_due"], figures["suspended"], figures["cancelled"]) == (1, 1, 2)  # O; J; E, H
    assert (figures["comped"], figures["held"], figures["duplicate_stripe_subscriptions"]) == (1, 1, 1)  # J; C; K


@pytest.mark.parametrize(
    "moment, mrr",
    [
        ("2025-11-30 00:00", 0),
        ("2025-12-31 00:00", 4900),
        ("2026-04-05 00:00", 159300),
        ("2026-06-01 00:00", 154400),
        ("2026-06-15 00:00", 90830),
        ("2026-06-30 12:00", MRR_NOW),
    ],
)
def test_past_mrr_is_each_subscriptions_mrr_after_its_last_event_by_then(ledger, moment, mrr):
    assert metrics.mrr_at(at(moment)) == mrr


def test_past_mrr_counts_an_event_at_the_very_moment(ledger):
    assert metrics.mrr_at(at("2026-06-03 12:00")) - metrics.mrr_at(at("2026-06-03 11:59")) == 4900  # A converts


def test_june_movements_equal_the_hand_worked_table(ledger):
    june = metrics.mrr_movements(*JUNE)
    assert june["new"] == {"cents": 43630, "count": 4}
    assert june["expansion"] == {"cents": 2500, "count": 1}
    assert june["contraction"] == {"cents": -80000, "count": 1}
    assert june["churn"] == {"cents": -24800, "count": 2}
    assert june["reactivation"] == {"cents": 24800, "count": 2}
    assert (june["mrr_start_cents"], june["mrr_end_cents"], june["net_cents"]) == (154400, MRR_NOW, -33870)


def test_movements_add_up_to_the_change_in_mrr_over_every_window(ledger):
    moments = [at(day) for day in ("2025-11-01", "2025-12-20", "2026-02-20", "2026-04-10", "2026-06-01 00:00",
                                   "2026-06-09", "2026-06-12", "2026-06-16", "2026-06-20", "2026-06-30 12:00")]
    for start, end in itertools.combinations(moments, 2):
        moves = metrics.mrr_movements(start, end)
        gained = moves["new"]["cents"] + moves["expansion"]["cents"] + moves["reactivation"]["cents"]
        lost = abs(moves["contraction"]["cents"]) + abs(moves["churn"]["cents"])
        assert gained - lost == moves["net_cents"] == metrics.mrr_at(end) - metrics.mrr_at(start), (start, end)
        assert moves["contraction"]["cents"] <= 0 and moves["churn"]["cents"] <= 0


def test_a_late_payer_is_a_churn_then_a_reactivation_never_a_new_customer(ledger):
    suspended = metrics.mrr_movements(at("2026-06-09 00:00"), at("2026-06-10 00:00"))
    assert suspended["churn"] == {"cents": -19900, "count": 1}  # G, Stripe gave up
    recovered = metrics.mrr_movements(at("2026-06-16 00:00"), at("2026-06-17 00:00"))
    assert recovered["reactivation"] == {"cents": 19900, "count": 1}  # G pays again
    assert recovered["new"] == {"cents": 4900, "count": 1}  # P, whose trial converted the same day
    day = next(row for row in metrics.growth_metrics(period="30d", now=NOW)["series"] if row["date"] == "2026-06-16")
    assert day["trial_conversions"] == 1  # P only


def test_customer_churn_counts_payers_lost_and_never_a_trial(ledger):
    june = metrics.customer_churn(*JUNE)
    assert (june["paying_at_start"], june["lost"], june["rate"]) == (6, 1, 0.1667)  # E
    to_the_twelfth = metrics.customer_churn(JUNE[0], at("2026-06-12 00:00"))
    assert (to_the_twelfth["lost"], to_the_twelfth["rate"]) == (2, 0.3333)  # E, and G while suspended
    # H's trial lapsed on 11 June and was cancelled on 20 June: in neither count above. Nobody paid on
    # 1 November 2025: no rate.
    trial_only = metrics.customer_churn(at("2025-11-01"), at("2025-12-01"))
    assert (trial_only["paying_at_start"], trial_only["rate"]) == (0, None)


def test_trial_conversion_per_signup_month(ledger):
    cohorts = metrics.trial_conversion_cohorts(months=12, now=NOW)
    assert [c["month"] for c in cohorts][:2] == ["2025-07", "2025-08"] and cohorts[-1]["month"] == "2026-06"
    by_month = {c["month"]: (c["signups"], c["converted"], c["trialing"], c["rate"]) for c in cohorts}
    assert by_month["2025-07"] == (0, 0, 0, None)
    assert by_month["2025-12"] == (1, 1, 0, 1.0)  # F
    assert by_month["2026-01"] == (2, 2, 0, 1.0)  # E, G (G's late payment is not a second conversion)
    assert by_month["2026-02"] == (2, 2, 0, 1.0)  # D, K
    assert by_month["2026-03"] == (2, 2, 0, 1.0)  # C, O
    assert by_month["2026-04"] == (1, 0, 0, 0.0)  # J: lapsed, then comped
    assert by_month["2026-05"] == (4, 3, 0, 0.75)  # A, B, L converted; H lapsed
    assert by_month["2026-06"] == (3, 1, 2, 0.3333)  # P converted; I (card on file) and N trialing
    assert len(metrics.trial_conversion_cohorts(months=3, now=NOW)) == 3


def test_thirty_day_growth_equals_the_hand_worked_numbers(ledger):
    growth = metrics.growth_metrics(period="30d", now=NOW)
    assert len(growth["series"]) == 30
    assert growth["series"][0]["date"] == "2026-06-01" and growth["series"][-1]["date"] == "2026-06-30"
    by_date = {row["date"]: row for row in growth["series"]}
    assert by_date["2026-06-01"]["mrr_cents"] == 154400 + PRO_DISCOUNTED  # L converted at noon
    assert by_date["2026-06-14"]["mrr_cents"] == 90830
    assert by_date["2026-06-30"]["mrr_cents"] == MRR_NOW
    totals = growth["totals"]
    assert totals["signups"] == 3 and totals["signups_converted"] == 1  # P, I, N; P converted
    assert growth["trial_conversion_rate"] == 0.3333
    assert totals["trial_conversions"] == 4  # L, A, B, P: the new movements
    assert totals["trials_ended"] == 5  # L, A, B, P converted; H expired
    assert (totals["churned"], totals["cancellations"]) == (2, 1)  # E, G churned; E cancelled (H never paid)
    assert (growth["paying_at_start"], growth["customers_lost"], growth["churn_rate"]) == (6, 1, 0.1667)
    assert growth["movements"] == metrics.mrr_movements(*JUNE)
    assert by_date["2026-06-05"]["cancellations"] == 1 and by_date["2026-06-09"]["churned"] == 1


def test_seven_day_growth_equals_the_hand_worked_numbers(ledger):
    growth = metrics.growth_metrics(period="7d", now=NOW)
    assert growth["series"][0]["date"] == "2026-06-24"
    assert growth["totals"]["signups"] == 1 and growth["trial_conversion_rate"] == 0.0  # N, trialing
    # O's failed payment keeps its MRR (past due still pays): no movement at all.
    assert growth["movements"]["net_cents"] == 0
    assert all(growth["movements"][kind]["count"] == 0 for kind in metrics.MOVEMENTS)
    assert (growth["paying_at_start"], growth["churn_rate"]) == (10, 0.0)


def test_a_catalog_price_change_leaves_past_mrr_as_it_was(ledger, monkeypatch):
    before = (metrics.growth_metrics(period="90d", now=NOW), metrics.mrr_movements(*JUNE), metrics.platform_metrics())
    starter = catalog.TIERS["starter"]
    monkeypatch.setitem(catalog.TIERS, "starter", dataclasses.replace(starter, monthly_cents=9900, annual_cents=99900))
    assert catalog.tier("starter").monthly_equivalent_cents("monthly") == 9900
    after = (metrics.growth_metrics(period="90d", now=NOW), metrics.mrr_movements(*JUNE), metrics.platform_metrics())
    assert after == before
    assert metrics.mrr_at(at("2025-12-31 00:00")) == 4900


def test_the_history_refuses_update_and_delete(ledger):
    events = SubscriptionEvent.objects.filter(subscription=ledger["A"])
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        events.update(mrr_cents=999)
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        events.delete()
    assert issubclass(ProgrammingError, DatabaseError)
    assert list(events.order_by("created_at").values_list("mrr_cents", flat=True)) == [0, 4900]


def test_rates_are_none_when_nothing_to_divide_by(db):
    growth = metrics.growth_metrics(period="90d", now=NOW)
    assert growth["churn_rate"] is None and growth["trial_conversion_rate"] is None
    assert len(growth["series"]) == 90 and growth["movements"]["net_cents"] == 0


def test_an_unknown_period_or_a_backwards_window_is_refused(db):
    with pytest.raises(ValueError, match="5d"):
        metrics.growth_metrics(period="5d")
    with pytest.raises(ValueError, match="before"):
        metrics.mrr_movements(NOW, NOW - timedelta(days=1))


def test_the_movements_and_cohorts_endpoints_answer_and_name_a_bad_field(ledger, operator_client):
    moves = operator_client.get("/api/v1/admin/metrics/movements?start=2026-06-01&end=2026-06-29").json()
    # Through 29 June (to 30 June 00:00): everything of June but nothing later, as nothing happened on the 30th.
    assert moves["new"] == {"cents": 43630, "count": 4} and moves["net_cents"] == -33870
    assert moves["customer_churn"]["rate"] == 0.1667
    for query, field in (("start=yesterday", "start"), ("", "start"), ("start=2026-06-10&end=2026-06-01", "end")):
        bad = operator_client.get(f"/api/v1/admin/metrics/movements?{query}")
        assert bad.status_code == 400 and field in bad.json(), query
    cohorts = operator_client.get("/api/v1/admin/metrics/cohorts?months=3").json()["cohorts"]
    assert len(cohorts) == 3 and all(set(c) == {"month", "signups", "converted", "trialing", "rate"} for c in cohorts)
    for months in ("0", "many", "61"):
        bad = operator_client.get(f"/api/v1/admin/metrics/cohorts?months={months}")
        assert bad.status_code == 400 and "months" in bad.json()
    growth = operator_client.get("/api/v1/admin/metrics/growth?period=7d").json()
    assert set(metrics.MOVEMENTS) <= set(growth["movements"])


def _row_text(page: str, kind: str) -> str:
    """Return the words of the movements table's row of ``kind``."""
    row = page.split(f'data-movement="{kind}"')[1].split(">", 1)[1].split("</tr>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_the_dashboard_shows_the_periods_movements(db, operator_client):
    today = datetime.now(UTC)

    def days_ago(n: int) -> str:
        return (today - timedelta(days=n)).strftime("%Y-%m-%d %H:%M")

    customer("Newly paid", days_ago(10), ("convert", "trialing", "active", days_ago(3), 4900),
             tier="starter", status="active", mrr_cents=4900)
    customer("Gone", days_ago(200), ("convert", "trialing", "active", days_ago(186), 19900),
             ("cancel", "active", "cancelled", days_ago(2), 0), status="cancelled")
    page = operator_client.get(reverse("admin:index", urlconf="unison.urls_public"), {"period": "7d"})
    html = page.content.decode()
    assert 'id="mrr-movements"' in html
    assert _row_text(html, "new") == "New +$49 1"
    assert _row_text(html, "churn") == "Churn −$199 1"
    assert _row_text(html, "expansion") == "Expansion $0 0"
    assert _row_text(html, "net") == "Net −$150"
    assert 'data-kpi="comped">0<' in html and page.context["growth"]["customers_lost"] == 1


def snapshot(org, *, users: int, plants: int, storage: int, hours_ago: float):
    UsageSnapshot.objects.create(organization=org, users=users, plants=plants, storage_bytes=storage,
                                 measured_at=NOW - timedelta(hours=hours_ago))


@pytest.fixture
def usage(db) -> dict[str, Organization]:
    """Four organisations with snapshots; B has two extra users (an add-on) on Professional."""
    a = SubscriptionFactory(tier="starter", status="active", organization__name="A").organization
    b_sub = SubscriptionFactory(status="active", organization__name="B")
    c = SubscriptionFactory(tier="enterprise", status="past_due", organization__name="C").organization
    d = SubscriptionFactory(organization__name="D").organization
    b = b_sub.organization
    SubscriptionAddOn.objects.create(subscription=b_sub, kind="extra_user", quantity=2, unit_price_cents=500)
    SubscriptionAddOn.objects.create(subscription=b_sub, kind="extra_plant", quantity=1, unit_price_cents=2500,
                                     removed_at=NOW - timedelta(days=3))  # removed: raises nothing
    snapshot(a, users=10, plants=3, storage=0, hours_ago=60)  # older: ignored
    snapshot(a, users=2, plants=1, storage=1 * GB, hours_ago=20)
    snapshot(b, users=30, plants=2, storage=5 * GB, hours_ago=20)
    snapshot(c, users=500, plants=4, storage=300 * GB, hours_ago=20)
    snapshot(d, users=26, plants=6, storage=0, hours_ago=20)
    return {"A": a, "B": b, "C": c, "D": d}


def test_usage_figures_come_from_the_latest_snapshots(usage):
    figures = metrics.platform_metrics()
    assert figures["users"] == 2 + 30 + 500 + 26  # A's older 10 is history
    assert figures["plants"] == 1 + 2 + 4 + 6
    assert figures["storage_bytes"] == (1 + 5 + 300) * GB


def test_top_organizations_rank_by_the_latest_snapshot(usage):
    assert [row.organization.name for row in metrics.top_organizations(metric="users")] == ["C", "B", "D", "A"]
    assert [row.organization.name for row in metrics.top_organizations(metric="storage", limit=2)] == ["C", "B"]


def test_violations_list_organizations_over_their_limits_add_ons_included(usage):
    rows = {row.organization.name: row for row in metrics.limit_violations()}
    # B: 30 users > 25 + 2 extra; D: 26 users > 25 and 6 plants > 5. A's older snapshot (10 users) is history.
    assert set(rows) == {"B", "D"}
    assert (rows["B"].user_limit, rows["D"].plant_limit) == (27, 5)
    assert rows["B"].storage_limit == 100 * GB


def _bulk(count: int) -> None:
    """Add ``count`` paying organisations, each converted, churned and reactivated, with a snapshot."""
    subs = SubscriptionFactory.create_batch(count, status="active", mrr_cents=4900)
    SubscriptionEvent.objects.bulk_create(
        SubscriptionEvent(subscription=sub, transition=name, from_status=source, to_status=target, mrr_cents=mrr,
                          created_at=NOW - timedelta(days=days, hours=i % 10))
        for i, sub in enumerate(subs)
        for name, source, target, mrr, days in (
            ("start_trial", "trialing", "trialing", 0, 60), ("convert", "trialing", "active", 4900, 40),
            ("suspend_for_nonpayment", "active", "suspended", 0, 20),
            ("payment_recovered", "suspended", "active", 4900, 5),
        )
    )
    UsageSnapshot.objects.bulk_create(UsageSnapshot(organization=sub.organization, users=9, plants=2, storage_bytes=10)
                                      for sub in subs)


def _queries_of_everything() -> int:
    with CaptureQueriesContext(connection) as captured:
        metrics.platform_metrics()
        metrics.growth_metrics(period="90d", now=NOW)
        metrics.mrr_movements(*JUNE)
        metrics.customer_churn(*JUNE)
        metrics.trial_conversion_cohorts(months=12, now=NOW)
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
    moves = metrics.mrr_movements(NOW - timedelta(days=90), NOW)
    assert [moves[kind]["count"] for kind in ("new", "churn", "reactivation")] == [50, 50, 50]
