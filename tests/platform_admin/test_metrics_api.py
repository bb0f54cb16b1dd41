"""The new figures through the admin API and the console: answers, CSV downloads, refusals, and a fixed
number of queries whatever the number of organisations."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from djstripe.models import Customer, Invoice

from platform_admin import metrics
from platform_admin.models import AuditEntry
from subscriptions.models import SubscriptionEvent, UsageSnapshot
from tests.platform_admin.test_metrics import MRR_NOW, SubscriptionFactory, ledger  # noqa: F401  (the ledger fixture)


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_metrics_endpoint_gives_the_new_figures_for_the_period(ledger, operator_client):  # noqa: F811
    figures = operator_client.get("/api/v1/admin/metrics?period=7d").json()
    assert (figures["period"], figures["mrr_cents"], figures["arpa_cents"]) == ("7d", MRR_NOW, 12053)
    assert {row["tier"]: row["mrr_cents"] for row in figures["by_tier"]} == {
        "starter": 24500, "professional": 96030, "enterprise": 0}
    for key in ("customer_lifetime_value", "payment_success", "mrr_growth", "signups", "by_billing_cycle",
                "usage_by_tier", "trials_ending_7d", "operator_activity", "net_revenue_retention", "quick_ratio"):
        assert key in figures, key
    assert operator_client.get("/api/v1/admin/metrics").json()["period"] == "30d"
    growth = operator_client.get("/api/v1/admin/metrics/growth?period=7d").json()
    assert len(growth["weekly"]) == 12 and len(growth["monthly"]) == 12
    assert {"impersonations", "admin_actions"} <= set(growth["series"][0])


@pytest.mark.parametrize(
    "url, status, field",
    [
        ("/api/v1/admin/metrics?period=5d", 400, "period"),
        ("/api/v1/admin/metrics/growth?period=year", 400, "period"),
        ("/api/v1/admin/metrics/retention-cohorts?start=2025-11", 400, "start"),  # before December's first signup
        ("/api/v1/admin/metrics/retention-cohorts?start=2999-01", 400, "start"),  # after this month
        ("/api/v1/admin/metrics/retention-cohorts?start=2026-13", 400, "start"),
        ("/api/v1/admin/metrics/retention-cohorts?start=2026-01&months=60", 400, "months"),  # runs past this month
        ("/api/v1/admin/metrics/retention-cohorts?months=0", 400, "months"),
        ("/api/v1/admin/metrics/retention-cohorts?months=61", 400, "months"),
        ("/api/v1/admin/metrics/retention-cohorts?months=59", 400, "months"),  # signups begin in December 2025
        ("/api/v1/admin/metrics/csv/daily?period=5d", 400, "period"),
        ("/api/v1/admin/metrics/csv/retention_cohorts?start=2025-06", 400, "start"),
        ("/api/v1/admin/metrics/csv/invoices", 404, "table"),
    ],
)
def test_bad_input_is_refused_with_a_json_body_naming_the_field(ledger, operator_client, url, status, field):  # noqa: F811
    response = operator_client.get(url)
    assert response.status_code == status, response.content
    assert field in response.json(), response.json()


def test_the_retention_endpoint_and_its_csv_agree(ledger, operator_client):  # noqa: F811
    table = operator_client.get("/api/v1/admin/metrics/retention-cohorts?start=2026-02&months=1").json()
    assert [c["month"] for c in table["cohorts"]] == ["2026-02"]
    assert table["cohorts"][0]["cells"][0] == {"months_since_signup": 0, "customers": 2, "customers_rate": 1.0,
                                               "mrr_cents": 104800, "mrr_rate": 1.0}  # D 99900 + K 4900
    rows = rows_of(operator_client.get("/api/v1/admin/metrics/csv/retention_cohorts?start=2026-02&months=1",
                                       HTTP_ACCEPT="text/csv"))
    assert rows[0] == ["cohort", "signups", "months_since_signup", "customers", "customers_rate", "mrr_cents",
                       "mrr_rate"]
    assert rows[1] == ["2026-02", "2", "0", "2", "1.0", "104800", "1.0"]
    assert len(rows) == 1 + len(table["cohorts"][0]["cells"])


def test_every_console_csv_link_downloads_its_table(ledger, operator_client):  # noqa: F811
    page = operator_client.get(reverse("admin:index", urlconf="unison.urls_public"), {"period": "7d"})
    links = re.findall(r'href="(/admin/metrics/csv/[a-z_]+/\?period=7d)"', page.content.decode())
    assert len(links) == len(metrics.TABLES) == 13
    for link in links:
        rows = rows_of(operator_client.get(link))
        assert rows[0], link
    figures = dict(rows_of(operator_client.get("/admin/metrics/csv/figures/?period=7d"))[1:])
    assert (figures["mrr_cents"], figures["arpa_cents"], figures["period"]) == (str(MRR_NOW), "12053", "7d")
    by_currency = rows_of(operator_client.get("/admin/metrics/csv/by_currency/?period=7d"))
    assert by_currency[0] == ["currency", "active_subscriptions", "paying_customers", "mrr_cents", "mrr_native_cents"]
    assert [row[0] for row in by_currency[1:]] == ["usd", "eur", "inr"]
    assert by_currency[1][3] == str(MRR_NOW)  # the ledger's subscriptions all pay in USD
    movements = rows_of(operator_client.get("/api/v1/admin/metrics/csv/movements?period=7d"))
    assert movements[0] == ["movement", "cents", "count"] and movements[-1] == ["net", "0", ""]
    assert operator_client.get("/admin/metrics/csv/figures/?period=5d").status_code == 400
    assert operator_client.get("/admin/metrics/csv/nothing/").status_code == 404


def test_a_name_that_a_spreadsheet_would_run_is_quoted_in_the_csv(db, operator_client):
    SubscriptionFactory(organization__name='=HYPERLINK("http://evil.example")', status="trialing",
                        trial_ends_at=timezone.now() + timedelta(days=2))
    rows = rows_of(operator_client.get("/api/v1/admin/metrics/csv/trials_ending"))
    assert rows[0] == ["organization_id", "organization_name", "tier", "trial_ends_at"]
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example")'


def test_staff_who_are_not_operators_get_no_csv(ledger, staff_client):  # noqa: F811
    assert staff_client.get("/api/v1/admin/metrics/csv/figures").status_code == 403
    assert staff_client.get("/admin/metrics/csv/figures/").status_code == 302  # to the console's sign-in


def test_the_dashboard_shows_the_new_figures(ledger, operator_client):  # noqa: F811
    page = operator_client.get(reverse("admin:index", urlconf="unison.urls_public"), {"period": "30d"})
    html = page.content.decode()
    assert 'data-kpi="arpa">$120.53<' in html
    assert 'data-tier="professional"' in html and 'id="retention-cohorts"' in html
    assert 'data-retention="2026-02"' in html and 'id="csv-downloads"' in html
    assert page.context["kpis"]["arpa_cents"] == 12053


def _grow(count: int, now) -> None:
    """Add ``count`` organisations that trialled, paid, churned and came back, with usage, invoices and audit."""
    subs = SubscriptionFactory.create_batch(count, status="active", mrr_cents=4900, trial_ends_at=now + timedelta(days=2))
    SubscriptionEvent.objects.bulk_create(
        SubscriptionEvent(subscription=sub, transition=name, from_status=source, to_status=target, mrr_cents=mrr,
                          created_at=now - timedelta(days=days, hours=i % 10))
        for i, sub in enumerate(subs)
        for name, source, target, mrr, days in (
            ("start_trial", "trialing", "trialing", 0, 300), ("convert", "trialing", "active", 4900, 200),
            ("suspend_for_nonpayment", "active", "suspended", 0, 20), ("payment_recovered", "suspended", "active", 4900, 5),
        )
    )
    UsageSnapshot.objects.bulk_create(UsageSnapshot(organization=sub.organization, users=3, plants=1, storage_bytes=9)
                                      for sub in subs)
    customer, _ = Customer.objects.get_or_create(id="cus_many", defaults={"stripe_data": {}})
    Invoice.objects.bulk_create(
        Invoice(id=f"in_{sub.pk}", customer=customer, created=now - timedelta(days=3),
                stripe_data={"status": "paid", "attempted": True, "amount_due": 4900, "attempt_count": 1})
        for sub in subs)
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_id=1, actor_email="op@unison.test", action=action, target_type="organization",
                   target_id=str(sub.organization_id), organization_id=sub.organization_id,
                   created_at=now - timedelta(days=1))
        for sub in subs for action in ("impersonation_start", "subscription_extend_trial"))


def _queries(operator_client) -> dict[str, int]:
    """Return the queries each figure, table and page takes now."""
    calls = {
        **{f"overview {p}": (lambda p=p: metrics.overview_metrics(period=p)) for p in metrics.PERIODS},
        **{f"growth {p}": (lambda p=p: metrics.growth_metrics(period=p)) for p in metrics.PERIODS},
        "retention": metrics.retention_cohorts,
        **{f"csv {name}": (lambda name=name: metrics.metrics_table(name)) for name in metrics.TABLES},
        **{url: (lambda url=url: operator_client.get(url)) for url in (
            "/api/v1/admin/metrics", "/api/v1/admin/metrics/growth?period=90d",
            "/api/v1/admin/metrics/retention-cohorts", "/api/v1/admin/metrics/csv/figures", "/admin/")},
    }
    counts = {}
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as captured:
            result = call()
        assert getattr(result, "status_code", 200) == 200, name
        counts[name] = len(captured)
    return counts


def test_every_figure_takes_as_many_queries_for_50_organizations_as_for_5(db, operator_client):
    now = timezone.now()
    _grow(5, now)
    small = _queries(operator_client)
    _grow(45, now)
    assert metrics.overview_metrics()["paying_customers"] == 50
    assert metrics.overview_metrics()["payment_success"]["paid"] == 50
    assert metrics.overview_metrics()["operator_activity"]["impersonation_sessions"] == 50
    assert _queries(operator_client) == small
    assert small["overview 30d"] <= 16 and small["growth 90d"] <= 12 and small["retention"] <= 3
