"""Each plant's times in its own zone; plants take canonical IANA zones only; old names are converted or refused."""

from __future__ import annotations

import importlib
import zoneinfo
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.forms import PlantForm
from shopfloor.models import NCR, Plant, WorkOrder
from tests.conftest import client_for
from tests.shopfloor.conftest import plan_set
from unison import time_zones

LEGACY = ("US/Eastern", "Asia/Calcutta", "EST5EDT", "Etc/GMT+3", "Etc/UTC", "Europe/Kiev", "GB", "localtime")
# 3 Dec 2026 14:05 UTC: 19:35 in Kolkata, 08:05 in Chicago.
MOMENT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


def test_the_list_holds_canonical_zones_only_utc_first():
    zones = time_zones.canonical_zones()
    assert zones[0] == "UTC" and {"Asia/Kolkata", "America/New_York", "Europe/Amsterdam"} <= set(zones)
    assert not set(LEGACY) & set(zones)
    assert not [name for name in zones if name.startswith(("Etc/", "US/", "SystemV/"))]
    assert all(zoneinfo.ZoneInfo(name) for name in zones)  # each one loads


def test_old_names_map_to_the_zone_they_stand_for():
    aliases = time_zones.aliases()
    assert aliases["Asia/Calcutta"] == "Asia/Kolkata" and aliases["US/Eastern"] == "America/New_York"
    assert aliases["EST5EDT"] == "America/New_York" and aliases["Etc/UTC"] == "UTC"
    assert "Etc/GMT+3" not in aliases  # a fixed offset stands for no one place
    assert set(aliases.values()) <= set(time_zones.canonical_zones())


def test_the_select_groups_zones_by_region_with_readable_names():
    choices = dict(time_zones.time_zone_choices())
    assert choices["UTC"] == "UTC"
    assert ("Asia/Kolkata", "Kolkata") in choices["Asia"]
    assert ("America/Argentina/Buenos_Aires", "Argentina / Buenos Aires") in choices["America"]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("US/Eastern", "US/Eastern is an old name for a time zone: choose America/New_York."),
        ("Etc/GMT+3", "Choose a time zone from the list"),
        ("Mars/Base", "Choose a time zone from the list"),
    ],
)
def test_the_plant_form_refuses_an_old_or_unknown_zone_next_to_the_field(in_tenant, name, says):
    form = PlantForm(data={"name": "Pune", "code": "PUN-1", "time_zone": name})
    assert not form.is_valid()
    assert list(form.errors) == ["time_zone"] and form.errors["time_zone"][0].startswith(says)


def test_the_plant_page_shows_the_grouped_select_and_the_error_under_it(organization, owner, onboarded):
    client = client_for(organization, owner)
    page = client.get("/plants/new/").content.decode()
    assert '<optgroup label="Asia">' in page and '<option value="Asia/Kolkata">Kolkata</option>' in page
    assert 'value="US/Eastern"' not in page
    refused = client.post("/plants/new/", {"name": "Pune", "code": "PUN-1", "time_zone": "Asia/Calcutta"})
    assert refused.status_code == 200
    assert "Asia/Calcutta is an old name for a time zone: choose Asia/Kolkata." in refused.content.decode()
    with schema_context(organization.schema_name):
        assert not Plant.objects.exists()


def test_the_api_refuses_an_old_zone_with_a_400_naming_time_zone(organization, owner):
    plan_set(organization, "enterprise")
    api = client_for(organization, owner)
    refused = api.post(
        "/api/v1/plants",
        {"name": "Pune", "code": "PUN-1", "time_zone": "Asia/Calcutta"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["time_zone"] == ["Asia/Calcutta is an old name for a time zone: choose Asia/Kolkata."]
    for bad in (5, None, ["UTC"]):
        response = api.post(
            "/api/v1/plants", {"name": "Pune", "code": "PUN-1", "time_zone": bad}, content_type="application/json"
        )
        assert response.status_code == 400 and "time_zone" in response.json(), bad
    created = api.post(
        "/api/v1/plants",
        {"name": "Pune", "code": "PUN-1", "time_zone": "Asia/Kolkata"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["time_zone"] == "Asia/Kolkata"
    defaulted = api.post("/api/v1/plants", {"name": "Leeds", "code": "LDS-1"}, content_type="application/json")
    assert defaulted.status_code == 201 and defaulted.json()["time_zone"] == "UTC"


def test_the_schema_lists_the_canonical_zones_as_the_enum(organization, owner):
    plan_set(organization, "enterprise")
    schema = client_for(organization, owner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    enum = schema["components"]["schemas"]["Plant"]["properties"]["time_zone"]
    enum = enum.get("enum") or schema["components"]["schemas"][enum["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"]
    assert enum == list(time_zones.canonical_zones())


def test_the_migration_moves_old_names_to_their_zone_and_leaves_the_rest(in_tenant):
    migration = importlib.import_module("shopfloor.migrations.0008_time_zone_canonical")
    names = {
        "Asia/Calcutta": "Asia/Kolkata",
        "US/Eastern": "America/New_York",
        "Etc/UTC": "UTC",
        "Europe/Berlin": "Europe/Berlin",
        "Etc/GMT+3": "Etc/GMT+3",
    }
    for n, name in enumerate(names):
        plant = services.plant_create(organization=in_tenant, name=f"P{n}", code=f"P-{n}", with_defaults=False)
        Plant.objects.filter(pk=plant.pk).update(time_zone=name)  # as rows made before the list was canonical
    migration.to_canonical(apps, None)
    assert dict(Plant.objects.values_list("name", "time_zone")) == {
        f"P{n}": zone for n, zone in enumerate(names.values())
    }


@pytest.fixture
def two_plants(organization, onboarded):
    """A plant in Kolkata and one in Chicago, each with a work order (and an NCR) last changed at MOMENT."""
    plan_set(organization, "professional")
    with schema_context(organization.schema_name):
        material = services.material_create(sku="STL-2", name="Steel sheet", unit="sheet")
        made = {}
        for code, zone in (("PUN-1", "Asia/Kolkata"), ("CHI-1", "America/Chicago")):
            plant = services.plant_create(organization=organization, name=code, code=code, time_zone=zone)
            order = services.work_order_create(
                material=material, quantity=1, plant=plant, lane=None, due_date=datetime(2030, 1, 15).date()
            )
            WorkOrder.objects.filter(pk=order.pk).update(created_at=MOMENT, updated_at=MOMENT)
            ncr = services.ncr_create(organization=organization, work_order=order, description="Burr on edge")
            NCR.objects.filter(pk=ncr.pk).update(created_at=MOMENT)
            made[code] = (plant, order, ncr)
    return made


def test_each_plants_work_orders_show_its_own_time_and_zone(organization, owner, two_plants):
    client = client_for(organization, owner)
    listing = client.get("/work-orders/").content.decode()
    assert '<time datetime="2026-12-03T19:35:00+05:30">3 Dec 2026, 19:35 IST</time>' in listing
    assert '<time datetime="2026-12-03T08:05:00-06:00">3 Dec 2026, 08:05 CST</time>' in listing
    assert "14:05" not in listing
    pune, pune_order, pune_ncr = two_plants["PUN-1"]
    chicago, chicago_order, chicago_ncr = two_plants["CHI-1"]
    assert "3 Dec 2026, 19:35 IST" in client.get(f"/work-orders/{pune_order.pk}/").content.decode()
    assert "3 Dec 2026, 08:05 CST" in client.get(f"/work-orders/{chicago_order.pk}/").content.decode()
    assert "3 Dec 2026, 19:35 IST" in client.get(f"/ncrs/{pune_ncr.pk}/").content.decode()
    detail = client.get(f"/plants/{chicago.pk}/").content.decode()
    assert "Time zone America/Chicago · C" in detail  # CST or CDT, by today's date
    assert '<time datetime="06:00">06:00</time>–<time datetime="14:00">14:00 C' in detail  # the day shift


def test_the_plant_shows_its_shifts_in_ist(organization, owner, two_plants):
    detail = client_for(organization, owner).get(f"/plants/{two_plants['PUN-1'][0].pk}/").content.decode()
    assert "Time zone Asia/Kolkata · IST (UTC+05:30)" in detail and "14:00 IST</time>" in detail
