"""The tenant data API under /api/v1/: gated by Enterprise "API access", roles, limits, and field-named errors."""

from __future__ import annotations

import dataclasses

import pytest
from django_tenants.utils import schema_context

from shopfloor.models import Plant, WorkOrder
from subscriptions import catalog
from tests.conftest import PASSWORD, client_for, tenant_user
from tests.shopfloor.conftest import plan_set


@pytest.fixture
def enterprise(organization):
    plan_set(organization, "enterprise")
    return organization


@pytest.fixture
def api(enterprise, owner):
    return client_for(enterprise, owner)


@pytest.fixture
def member_api(enterprise):
    return client_for(enterprise, tenant_user(enterprise, role="member"))


def test_the_api_is_refused_below_enterprise_with_an_upgrade_link(organization, owner, records):
    client = client_for(organization, owner)
    for tier in ("starter", "professional"):
        plan_set(organization, tier)
        for url in ("/api/v1/plants", "/api/v1/materials", "/api/v1/work-orders", f"/api/v1/plants/{records['plant'].pk}"):
            response = client.get(url)
            assert response.status_code == 403, (tier, url)
            assert response.json()["code"] == "feature_not_in_plan"
            assert response.json()["feature"] == "api_access"
            assert response.json()["upgrade_url"] == "/billing/"


def test_an_owner_creates_reads_and_updates_plants(api, enterprise):
    created = api.post("/api/v1/plants", {"name": "Leeds", "code": "lds-1", "time_zone": "Europe/London"},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["code"] == "LDS-1" and body["departments"] == ["Cutting", "Welding", "Assembly", "QC"]
    assert body["lanes"] == ["Lane 1", "Lane 2", "Lane 3"] and body["shifts"] == ["Day 06:00–14:00"]
    assert api.get("/api/v1/plants").json()["count"] == 1
    patched = api.patch(f"/api/v1/plants/{body['id']}", {"address": "1 Mill Lane"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["address"] == "1 Mill Lane"
    assert api.get("/api/v1/plants", {"q": "mill"}).json()["count"] == 1


def test_bad_input_gets_a_400_naming_the_field(api, records):
    bad_plant = api.post("/api/v1/plants", {"name": "X", "code": "DET-1", "time_zone": "Mars/Base"},
                         content_type="application/json")
    assert bad_plant.status_code == 400 and {"code", "time_zone"} <= set(bad_plant.json())
    bad_order = api.post("/api/v1/work-orders", {"material": 999, "quantity": "0", "plant": records["plant"].pk},
                         content_type="application/json")
    assert bad_order.status_code == 400 and {"material", "quantity", "due_date"} <= set(bad_order.json())
    ncr = api.post("/api/v1/ncrs", {"description": "No subject"}, content_type="application/json")
    assert ncr.status_code == 400 and "work_order" in ncr.json()


def test_work_orders_move_by_the_advance_action_and_refuse_illegal_moves(member_api, records):
    created = member_api.post(
        "/api/v1/work-orders",
        {"material": records["material"].pk, "quantity": "5", "plant": records["plant"].pk, "due_date": "2030-04-01"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "planned"
    url = f"/api/v1/work-orders/{created.json()['id']}/advance"
    assert member_api.post(url, {}, content_type="application/json").json()["status"] == "released"
    illegal = member_api.post(url, {"status": "closed"}, content_type="application/json")
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_status_change" and "status" in illegal.json()
    unknown = member_api.post(url, {"status": "flying"}, content_type="application/json")
    assert unknown.status_code == 400 and "status" in unknown.json()
    assert member_api.get("/api/v1/work-orders", {"status": "released"}).json()["count"] == 1


def test_closing_an_ncr_through_the_api_needs_a_disposition(member_api, records):
    ncr = member_api.post("/api/v1/ncrs", {"material": records["material"].pk, "description": "Rust", "severity": "major"},
                          content_type="application/json").json()
    assert ncr["number"].startswith("NCR-") and ncr["status"] == "open"
    url = f"/api/v1/ncrs/{ncr['id']}/advance"
    member_api.post(url, {}, content_type="application/json")
    refused = member_api.post(url, {}, content_type="application/json")
    assert refused.status_code == 409 and "disposition" in refused.json()
    member_api.patch(f"/api/v1/ncrs/{ncr['id']}", {"disposition": "return_to_supplier"}, content_type="application/json")
    assert member_api.post(url, {}, content_type="application/json").json()["status"] == "closed"


def test_members_operate_through_the_api_but_cannot_configure(member_api, records, enterprise):
    plant = member_api.post("/api/v1/plants", {"name": "X", "code": "X-1"}, content_type="application/json")
    assert plant.status_code == 403 and plant.json()["code"] == "role_not_allowed"
    material = member_api.patch(f"/api/v1/materials/{records['material'].pk}", {"reorder_point": "1"},
                                content_type="application/json")
    assert material.status_code == 403
    counted = member_api.post(f"/api/v1/materials/{records['material'].pk}/count", {"quantity_on_hand": "7"},
                              content_type="application/json")
    assert counted.status_code == 200 and counted.json()["quantity_on_hand"] == "7.000"
    with schema_context(enterprise.schema_name):
        assert Plant.objects.count() == 1


def test_the_plant_limit_answers_limit_reached(api, records, monkeypatch, enterprise):
    # No plan in the catalog has API access and a plant limit; give Enterprise a limit of one plant for this test.
    tier = catalog.TIERS["enterprise"]
    monkeypatch.setitem(catalog.TIERS, "enterprise", dataclasses.replace(tier, limits=catalog.Limits(None, 1, None)))
    plan_set(enterprise, "enterprise")
    response = api.post("/api/v1/plants", {"name": "Two", "code": "TWO"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "limit_reached" and response.json()["upgrade_url"] == "/billing/"
    with schema_context(enterprise.schema_name):
        assert Plant.objects.count() == 1


def test_ncrs_through_the_api_also_need_quality_management(api, records, monkeypatch, enterprise):
    tier = catalog.TIERS["enterprise"]
    features = tuple(key for key in tier.features if key != "quality_management")
    monkeypatch.setitem(catalog.TIERS, "enterprise", dataclasses.replace(tier, features=features))
    plan_set(enterprise, "enterprise")
    response = api.get("/api/v1/ncrs")
    assert response.status_code == 403 and response.json()["feature"] == "quality_management"


def test_a_suspended_workspace_reads_through_the_api_but_cannot_write(api, records, enterprise):
    plan_set(enterprise, "enterprise", status="suspended")
    assert api.get("/api/v1/work-orders").status_code == 200
    response = api.post(f"/api/v1/work-orders/{records['work_order'].pk}/advance", {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "subscription_read_only"
    with schema_context(enterprise.schema_name):
        assert WorkOrder.objects.get().status == "planned"


def test_a_jwt_client_lists_materials(enterprise, owner, records):
    client = client_for(enterprise)
    token = client.post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD}).json()["access"]
    response = client.get("/api/v1/materials", {"low": "1"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert [m["sku"] for m in response.json()["results"]] == ["STL-2"]


def test_the_low_filter_reads_true_and_false(api, records, enterprise):
    with schema_context(enterprise.schema_name):
        from shopfloor import services

        services.material_create(sku="OK-1", name="Plenty", quantity_on_hand=100, reorder_point=1)
    assert api.get("/api/v1/materials", {"low": "true"}).json()["count"] == 1
    assert api.get("/api/v1/materials", {"low": "false"}).json()["count"] == 2


@pytest.mark.parametrize(("body", "field"), [
    ({"name": 12}, "name"),  # text must be a string, not a number made one
    ({"material": "1"}, "material"),  # a record by its integer id
    ({"status": "closed"}, "status"),  # read-only: refused, not dropped without a word
    ({"number": "WO-99999"}, "number"),
    ({"due_date": "20300115"}, "due_date"),  # only YYYY-MM-DD
    ({"quantity": 5}, "quantity"),  # amounts are strings
])
def test_a_body_the_schema_calls_invalid_is_refused_naming_the_field(api, records, body, field):
    url = f"/api/v1/work-orders/{records['work_order'].pk}"
    if field == "name":
        url = f"/api/v1/plants/{records['plant'].pk}"
    response = api.patch(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
