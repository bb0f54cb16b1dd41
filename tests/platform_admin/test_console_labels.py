"""The console reads in words: the app is "Platform admin", the log "Audit log entries", each action a
sentence; the dashboard's usage KPIs say when usage was measured; charts carry axes, or an empty state."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import partial

from django.urls import reverse as _reverse
from django.utils import timezone

from platform_admin.charts import Series, chart
from platform_admin.services import organization_update
from subscriptions.models import UsageSnapshot

reverse = partial(_reverse, urlconf="unison.urls_public")


def test_the_audit_log_names_its_app_and_entries_and_says_each_action_in_words(organization, operator,
                                                                              operator_client):
    organization_update(organization=organization, actor=operator, name="Renamed Works")
    page = operator_client.get(reverse("admin:platform_admin_auditentry_changelist")).content.decode()
    assert "Platform admin" in page and "Platform_Admin" not in page
    assert "Audit log entries" in page
    assert "Edited the organisation" in page
    assert re.search(r"<td[^>]*>\s*organization_update\s*</td>", page) is None
    filtered = operator_client.get(reverse("admin:platform_admin_auditentry_changelist") + "?action=organization_update")
    assert "Edited the organisation" in filtered.content.decode()
    detail = operator_client.get(reverse("admin:tenants_organization_change", args=[organization.pk])).content.decode()
    assert "Edited the organisation" in detail.split('id="organization-audit"')[1]


def test_the_usage_kpis_say_when_usage_was_last_measured(organization, operator_client):
    dashboard = reverse("admin:index")
    assert operator_client.get(dashboard).content.decode().count("not measured yet") == 2
    UsageSnapshot.objects.create(organization=organization, users=4, plants=2, storage_bytes=0,
                                 measured_at=timezone.now() - timedelta(hours=3))
    page = operator_client.get(dashboard).content.decode()
    assert page.count("measured 3\xa0hours ago") == 2 and "not measured yet" not in page


def test_a_chart_has_titled_axes_a_tooltip_and_is_empty_when_every_value_is_zero():
    drawn = chart("bar", ["11-01", "11-02"], Series("Signups", [0, 2]), x_title="Day", y_title="Signups",
                  empty_message="No signup.")
    options = json.loads(drawn.options)
    assert not drawn.empty and options["animation"] is False
    assert (options["scales"]["x"]["title"]["text"], options["scales"]["y"]["title"]["text"]) == ("Day", "Signups")
    assert options["scales"]["y"]["ticks"]["precision"] == 0 and options["scales"]["y"]["beginAtZero"]
    assert options["plugins"]["tooltip"]["enabled"] and options["interaction"] == {"mode": "index", "intersect": False}
    assert json.loads(drawn.data)["datasets"][0]["data"] == [0, 2]
    assert chart("bar", ["11-01"], Series("Signups", [0]), x_title="Day", y_title="Signups", empty_message="x").empty
    assert chart("line", [], Series("MRR", []), x_title="Day", y_title="MRR", empty_message="x").empty
