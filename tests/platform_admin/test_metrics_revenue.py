"""ARPA, lifetime value, MRR growth, net revenue retention, quick ratio, plans and payment success, by hand.

The ledger is the fifteen customers of ``test_metrics`` (its table is the reference); figures
are read at its NOW (2026-06-30 12:00 UTC), so the 30-day period starts on 1 June 00:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from djstripe.models import Customer, Invoice

from platform_admin import metrics
from tests.platform_admin.test_metrics import JUNE, MRR_NOW, NOW, at, ledger  # noqa: F401  (the ledger fixture)


def test_arpa_is_mrr_over_paying_customers(ledger):  # noqa: F811
    figures = metrics.overview_metrics(period="30d", now=NOW)
    assert (figures["mrr_cents"], figures["paying_customers"]) == (MRR_NOW, 10)
    assert figures["arpa_cents"] == 12053  # 120530 / 10
    assert metrics.arpa_cents(mrr_cents=10, paying_customers=4) == 3  # 2.5 rounds half up
    assert metrics.arpa_cents(mrr_cents=0, paying_customers=0) is None


def test_lifetime_value_is_arpa_over_the_last_30_days_customer_churn(ledger):  # noqa: F811
    ltv = metrics.overview_metrics(period="7d", now=NOW)["customer_lifetime_value"]
    # Paying at 31 May 12:00: C, D, E, G, K, O (6). Lost by now: E (cancelled 5 June); G came back on 16 June.
    assert (ltv["paying_at_start"], ltv["lost"], ltv["monthly_churn_rate"]) == (6, 1, 0.1667)
    # ARPA 12053 / (1 / 6) = 72318: 120530 × 6 / (10 × 1), in one division. The period (7d) plays no part.
    assert (ltv["cents"], ltv["reason"], ltv["arpa_cents"]) == (72318, None, 12053)


@pytest.mark.parametrize(
    "mrr, paying, churn, expected",
    [
        (0, 0, {"paying_at_start": 3, "lost": 1, "rate": 0.3333}, (None, "no_paying_customers")),
        (4900, 1, {"paying_at_start": 0, "lost": 0, "rate": None}, (None, "no_customers_at_start")),
        (4900, 1, {"paying_at_start": 2, "lost": 0, "rate": 0.0}, (None, "no_churn")),
        (10000, 3, {"paying_at_start": 3, "lost": 2, "rate": 0.6667}, (5000, None)),  # 3333.33 / (2/3) = 5000
    ],
)
def test_lifetime_value_is_null_with_a_reason_when_it_cannot_be_worked_out(mrr, paying, churn, expected):
    ltv = metrics.customer_lifetime_value(mrr_cents=mrr, paying_customers=paying, churn=churn)
    assert (ltv["cents"], ltv["reason"]) == expected


def test_mrr_growth_month_over_month_equals_the_month_ends(ledger):  # noqa: F811
    rows = {row["month"]: row for row in metrics.mrr_by_month(months=12, now=NOW)}
    assert list(rows)[0] == "2025-07" and list(rows)[-1] == "2026-06"
    # End of month: Nov 0; Dec F 4900; Jan + E 4900 + G 19900 = 29700; Feb + D 99900 + K 4900 = 134500;
    # Mar + C 19900 = 154400; Apr + O 4900 − F 4900 = 154400; May 154400; June (now) 120530.
    expected = {"2025-11": (0, None), "2025-12": (4900, None), "2026-01": (29700, 5.0612),
                "2026-02": (134500, 3.5286), "2026-03": (154400, 0.148), "2026-04": (154400, 0.0),
                "2026-05": (154400, 0.0), "2026-06": (MRR_NOW, -0.2194)}
    for month, (mrr, rate) in expected.items():
        assert (rows[month]["mrr_cents"], rows[month]["growth_rate"]) == (mrr, rate), month
    assert rows["2026-02"]["previous_mrr_cents"] == 29700
    headline = metrics.overview_metrics(period="30d", now=NOW)["mrr_growth"]
    assert headline == {"month": "2026-06", "mrr_cents": MRR_NOW, "previous_mrr_cents": 154400, "growth_rate": -0.2194}
    growth = metrics.growth_metrics(period="7d", now=NOW)
    assert [row["mrr_cents"] for row in growth["monthly"][-3:]] == [154400, 154400, MRR_NOW]


def test_net_revenue_retention_follows_the_customers_paying_at_the_start(ledger):  # noqa: F811
    nrr = metrics.overview_metrics(period="30d", now=NOW)["net_revenue_retention"]
    # Paying on 1 June: C 19900, D 99900, E 4900, G 19900, K 4900, O 4900 = 154400.
    # Now: C 22400, D 19900, E 0, G 19900 (back), K 4900, O 4900 = 72000; A, B, L, P and F's return are not theirs.
    assert nrr == {"rate": 0.4663, "mrr_start_cents": 154400, "mrr_retained_cents": 72000}
    assert metrics.growth_metrics(period="30d", now=NOW)["net_revenue_retention"] == nrr
    # 7 days: the ten payers of 24 June all pay as much now.
    assert metrics.overview_metrics(period="7d", now=NOW)["net_revenue_retention"]["rate"] == 1.0


def test_quick_ratio_and_its_rules_when_nothing_was_lost(ledger):  # noqa: F811
    june = metrics.overview_metrics(period="30d", now=NOW)["quick_ratio"]
    # (new 43630 + expansion 2500 + reactivation 24800) / (contraction 80000 + churn 24800) = 70930 / 104800
    assert june == {"value": 0.68, "reason": None, "gained_cents": 70930, "lost_cents": 104800}
    # 15-21 June: G's return (+19900), P's conversion (+4900), F's resubscription (+4900), no loss.
    gains = metrics.quick_ratio(metrics.mrr_movements(at("2026-06-15 00:00"), at("2026-06-21 00:00")))
    assert gains == {"value": None, "reason": "no_losses", "gained_cents": 29700, "lost_cents": 0}
    quiet = metrics.growth_metrics(period="7d", now=NOW)["quick_ratio"]
    assert (quiet["value"], quiet["reason"]) == (None, "no_movements")


def test_subscriptions_and_mrr_by_tier_and_billing_cycle(ledger):  # noqa: F811
    figures = metrics.overview_metrics(period="30d", now=NOW)
    by_tier = {row["tier"]: row for row in figures["by_tier"]}
    assert list(by_tier) == ["starter", "professional", "enterprise"]
    # Starter: A 4900, F 4900, K 4900, O 4900 (past due), P 4900 active; E cancelled, I trialing.
    assert by_tier["starter"] == {"tier": "starter", "active_subscriptions": 5, "paying_customers": 5, "mrr_cents": 24500}
    # Professional: B 17910, C 22400, D 19900, G 19900, L 15920; H, J, N are not active.
    assert by_tier["professional"] == {"tier": "professional", "active_subscriptions": 5, "paying_customers": 5,
                                       "mrr_cents": 96030}
    assert by_tier["enterprise"]["active_subscriptions"] == 0  # D moved down to professional
    by_cycle = {row["billing_cycle"]: row for row in figures["by_billing_cycle"]}
    assert by_cycle["annual"] == {"billing_cycle": "annual", "active_subscriptions": 1, "paying_customers": 1,
                                  "mrr_cents": 17910}  # B
    assert by_cycle["monthly"]["mrr_cents"] == MRR_NOW - 17910
    assert sum(row["active_subscriptions"] for row in figures["by_tier"]) == figures["active_subscriptions"]


def invoice(number: int, created: str, *, status: str, amount: int = 4900, attempted: bool = True, attempts: int = 1):
    """Store an invoice the way dj-stripe mirrors it: Stripe's object in ``stripe_data``, its ``created`` time."""
    customer, _ = Customer.objects.get_or_create(id="cus_metrics", defaults={"stripe_data": {"id": "cus_metrics"}})
    data = {"id": f"in_{number}", "object": "invoice", "status": status, "amount_due": amount,
            "amount_paid": amount if status == "paid" else 0, "attempted": attempted, "attempt_count": attempts}
    return Invoice.objects.create(id=f"in_{number}", customer=customer, created=at(created), stripe_data=data)


def test_payment_success_is_paid_over_attempted_invoices_of_the_period(db):
    invoice(1, "2026-06-05", status="paid")
    invoice(2, "2026-06-10", status="paid", attempts=3)  # paid on the third try: paid
    invoice(3, "2026-06-12", status="open", attempts=2)  # Stripe still retrying: failed so far
    invoice(4, "2026-06-14", status="void")
    invoice(5, "2026-06-20", status="uncollectible", attempts=4)
    invoice(6, "2026-06-03", status="paid", amount=0)  # a trial's 0-cent invoice: no payment
    invoice(7, "2026-06-25", status="draft")  # the stand-in marks drafts attempted: still no payment
    invoice(8, "2026-06-26", status="open", attempted=False)  # not tried yet
    invoice(9, "2026-05-20", status="paid")  # before the period
    invoice(10, "2026-06-01 00:00", status="paid")  # at the very start: the period starts after it
    june = metrics.overview_metrics(period="30d", now=NOW)["payment_success"]
    # Attempted 1-5; paid 1, 2 → 2 / 5. Attempts 1 + 3 + 2 + 1 + 4 = 11.
    assert june == {"attempted": 5, "paid": 2, "failed": 3, "attempts": 11, "rate": 0.4}
    week = metrics.payment_success(at("2026-06-24 00:00"), NOW)  # only 7 and 8: nothing attempted
    assert (week["attempted"], week["rate"]) == (0, None)


@pytest.mark.stripe
def test_payment_success_reads_the_invoices_dj_stripe_copied_from_stripe(stripe_catalog, organization):
    from billing import gateway
    from billing.services import billing_customer_ensure
    from devstripe.process import DECLINED_CARD, GOOD_CARD

    started = datetime.now(UTC) - timedelta(minutes=1)
    customer_id = billing_customer_ensure(organization=organization)
    stripe_catalog.call("POST", f"/_test/customers/{customer_id}/card", number=GOOD_CARD)
    price = stripe_catalog.call("GET", "/v1/prices?lookup_keys[]=starter_monthly")["data"][0]
    sub = stripe_catalog.call("POST", "/v1/subscriptions", customer=customer_id, **{"items[0][plan]": price["id"]})
    paid = [sub["latest_invoice"], stripe_catalog.call("POST", f"/_test/subscriptions/{sub['id']}/renew")["id"]]
    stripe_catalog.call("POST", f"/_test/customers/{customer_id}/card", number=DECLINED_CARD)
    declined = stripe_catalog.call("POST", f"/_test/subscriptions/{sub['id']}/renew")["id"]
    retried = stripe_catalog.call("POST", f"/_test/invoices/{declined}/retry")
    assert (retried["status"], retried["attempt_count"]) == ("open", 2)
    for invoice_id in (*paid, declined):
        Invoice.sync_from_stripe_data(gateway.invoice_retrieve(invoice_id), api_key=gateway.api_key())
    figures = metrics.payment_success(started, datetime.now(UTC) + timedelta(minutes=1))
    # Two paid at the first try, one declined twice: 2 / 3 invoices, 4 charges tried.
    assert figures == {"attempted": 3, "paid": 2, "failed": 1, "attempts": 4, "rate": 0.6667}
