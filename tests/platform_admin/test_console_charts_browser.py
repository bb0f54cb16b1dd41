"""The console dashboard's charts in Chromium: axes with titles, values on hover, and an empty
state when there is nothing to draw; the usage KPIs say when usage was last measured.

Screenshots at 390 and 1440 px, with data and without, in test-output/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from subscriptions.models import SubscriptionEvent, UsageSnapshot
from tests.e2e.conftest import browser, screenshot, site  # noqa: F401  (the shared browser harness)
from tests.platform_admin.conftest import console_sign_in
from tests.platform_admin.test_metrics import OrganizationFactory, SubscriptionFactory

pytestmark = pytest.mark.e2e
CHARTS = 7


def paying_customers() -> None:
    """Three signups over the last weeks: two converted (one then cancelled), one still trialing, usage measured."""
    now = timezone.now()
    for name, days_ago, history in (
        ("Gearbox Ltd", 20, [("convert", "trialing", "active", 6, 4900)]),
        ("Axle Works", 12, [("convert", "trialing", "active", 2, 19900),
                            ("cancel", "active", "cancelled", 1, 0)]),
        ("Bearing Co", 3, []),
    ):
        organization = OrganizationFactory(name=name, created_at=now - timedelta(days=days_ago))
        subscription = SubscriptionFactory(organization=organization, status=history[-1][2] if history else "trialing",
                                           mrr_cents=history[-1][4] if history else 0)
        SubscriptionEvent.objects.create(subscription=subscription, transition="start_trial", from_status="trialing",
                                         to_status="trialing", tier="professional", mrr_cents=0,
                                         created_at=organization.created_at)
        for transition, source, target, ago, mrr in history:
            SubscriptionEvent.objects.create(subscription=subscription, transition=transition, from_status=source,
                                             to_status=target, tier="professional", mrr_cents=mrr,
                                             created_at=now - timedelta(days=ago))
        UsageSnapshot.objects.create(organization=organization, users=3, plants=1, storage_bytes=10**6,
                                     measured_at=now - timedelta(hours=2))


def chart_state(page, index: int) -> dict:
    """Return what Chart.js drew in the ``index``-th canvas: axis titles, y ticks, and the tooltip on hover."""
    canvas = page.locator("canvas.chart").nth(index)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.85, box["y"] + box["height"] * 0.5)
    page.wait_for_function("(c) => Chart.getChart(c).tooltip.getActiveElements().length > 0", arg=canvas.element_handle())
    return canvas.evaluate("""(c) => { const chart = Chart.getChart(c); return {
        x_title: chart.options.scales.x.title.text, y_title: chart.options.scales.y.title.text,
        y_ticks: chart.scales.y.ticks.map((t) => t.label), x_ticks: chart.scales.x.ticks.length,
        tooltip: chart.tooltip.body.map((b) => b.lines.join(" ")), title: chart.tooltip.title }; }""")


@pytest.mark.parametrize("width", [1440, 390])
def test_the_dashboard_draws_charts_with_axes_and_values_on_hover(transactional_db, browser, site, screenshot, width):  # noqa: F811
    paying_customers()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    console_sign_in(page, site)
    page.goto(site.url("/admin/?period=30d"))
    assert page.locator("canvas.chart").count() == CHARTS
    assert page.locator("[data-chart-empty]").count() == 0
    signups = chart_state(page, 1)  # signups per day
    assert (signups["x_title"], signups["y_title"]) == ("Day", "Signups")
    assert signups["y_ticks"][0] == "0" and all(re.fullmatch(r"\d+", t) for t in signups["y_ticks"])
    assert signups["x_ticks"] >= 2
    assert re.fullmatch(r"Signups: \d+", signups["tooltip"][0]), signups
    churn = chart_state(page, 3)  # two series: churned and cancelled, both in the tooltip
    assert [line.split(":")[0] for line in churn["tooltip"]] == ["Churned", "Cancelled"]
    for kpi in ("users", "plants"):
        assert page.locator(f"[data-kpi={kpi}] + [data-kpi=usage_measured]").inner_text() == "measured 2\xa0hours ago"
    screenshot(page, f"dashboard-with-data-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_the_dashboard_without_data_shows_empty_states(transactional_db, browser, site, screenshot, width):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    console_sign_in(page, site)
    page.goto(site.url("/admin/?period=7d"))
    assert page.locator("canvas.chart").count() == 0
    empty = page.locator("[data-chart-empty]")
    assert empty.count() == CHARTS
    assert "No signup in the last 7 days." in empty.nth(1).inner_text()
    assert page.locator("[data-kpi=usage_measured]").first.inner_text() == "not measured yet"
    screenshot(page, f"dashboard-empty-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
