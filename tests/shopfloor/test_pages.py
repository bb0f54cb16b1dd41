"""The shop-floor pages: lists with search and filters, detail, create, edit and status moves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import NCR, Material, Plant, WorkOrder
from tests.conftest import client_for


@pytest.fixture
def owner_client(organization, owner, onboarded):
    return client_for(organization, owner)


@pytest.fixture
def member_client(organization, teammate, onboarded):
    return client_for(organization, teammate)


def test_the_dashboard_shows_open_work_orders_low_materials_and_plants(owner_client, records):
    response = owner_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert records["work_order"].number in body
    assert "STL-2" in body  # 5 on hand under a reorder point of 10
    assert "Detroit" in body
    assert "Complete your setup" in body


def test_the_material_list_searches_and_filters_under_reorder_point(owner_client, records, organization):
    with schema_context(organization.schema_name):
        services.material_create(sku="BOLT-8", name="Bolt M8", quantity_on_hand=Decimal(500), reorder_point=Decimal(10))
    everything = owner_client.get("/materials/").content.decode()
    assert "STL-2" in everything and "BOLT-8" in everything
    searched = owner_client.get("/materials/", {"q": "bolt"}).content.decode()
    assert "BOLT-8" in searched and "STL-2" not in searched
    low = owner_client.get("/materials/", {"low": "on"}).content.decode()
    assert "STL-2" in low and "BOLT-8" not in low


def test_the_work_order_list_filters_by_status(owner_client, records, organization):
    with schema_context(organization.schema_name):
        released = services.work_order_advance(
            work_order=services.work_order_create(
                material=records["material"], quantity=Decimal(2), plant=records["plant"], due_date="2030-03-01"
            )
        )
    body = owner_client.get("/work-orders/", {"status": "released"}).content.decode()
    assert released.number in body and records["work_order"].number not in body


def test_a_member_creates_and_advances_a_work_order_from_the_pages(member_client, records, organization):
    response = member_client.post(
        "/work-orders/new/",
        {"material": records["material"].pk, "quantity": "12", "plant": records["plant"].pk, "due_date": "2030-05-01"},
    )
    with schema_context(organization.schema_name):
        work_order = WorkOrder.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/work-orders/{work_order.pk}/"
    assert member_client.get(response["Location"]).status_code == 200
    member_client.post(f"/work-orders/{work_order.pk}/advance/", {"to": "released"})
    refused = member_client.post(f"/work-orders/{work_order.pk}/advance/", {"to": "closed"}, follow=True)
    assert "cannot move to closed" in refused.content.decode()
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.get(pk=work_order.pk).status == "released"


def test_a_bad_work_order_gets_field_errors_not_a_500(member_client, records, organization):
    response = member_client.post("/work-orders/new/", {"material": "", "quantity": "-1", "plant": records["plant"].pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="field-error"') >= 3  # material, quantity, due date
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.count() == 1


def test_the_ncr_quick_form_needs_only_a_subject_and_a_description(member_client, records, organization):
    response = member_client.post(
        "/ncrs/new/", {"work_order": records["work_order"].pk, "severity": "minor", "description": "Burrs on edge"}
    )
    assert response.status_code == 302
    with schema_context(organization.schema_name):
        ncr = NCR.objects.get()
    assert (ncr.disposition, ncr.status, ncr.material_id) == ("pending", "open", records["material"].pk)
    detail = member_client.get(response["Location"]).content.decode()
    assert ncr.number in detail and "Burrs on edge" in detail


def test_an_ncr_without_subject_is_refused_on_the_field(member_client, records, organization):
    response = member_client.post("/ncrs/new/", {"severity": "major", "description": "Wrong colour"})
    assert response.status_code == 200
    assert "Choose the work order or the material" in response.content.decode()
    with schema_context(organization.schema_name):
        assert not NCR.objects.exists()


def test_members_operate_but_cannot_configure(member_client, records, organization):
    for url in ("/plants/new/", f"/plants/{records['plant'].pk}/edit/", "/materials/new/",
                f"/materials/{records['material'].pk}/edit/", "/team/", "/onboarding/organization/"):
        assert member_client.get(url).status_code == 403, url
    refused = member_client.post("/plants/new/", {"name": "X", "code": "X-1", "time_zone": "UTC"})
    assert refused.status_code == 403
    assert b"Only owners and admins" in refused.content
    counted = member_client.post(f"/materials/{records['material'].pk}/count/", {"quantity_on_hand": "42.5"})
    assert counted.status_code == 302
    with schema_context(organization.schema_name):
        assert Plant.objects.count() == 1
        assert Material.objects.get().quantity_on_hand == Decimal("42.5")


def test_an_owner_edits_a_plant_and_its_layout(owner_client, records, organization):
    plant = records["plant"]
    response = owner_client.post(
        f"/plants/{plant.pk}/edit/", {"name": "Detroit North", "code": "det-n", "time_zone": "UTC", "address": ""}
    )
    assert response.status_code == 302
    owner_client.post(f"/plants/{plant.pk}/shifts/new/", {"name": "Night", "start": "22:00", "end": "06:00",
                                                          "days": ["1", "2", "4"]})
    duplicate = owner_client.post(f"/plants/{plant.pk}/departments/new/", {"name": "Welding"})
    assert duplicate.status_code == 200 and b"already exists" in duplicate.content
    with schema_context(organization.schema_name):
        plant.refresh_from_db()
        assert (plant.name, plant.code) == ("Detroit North", "DET-N")
        assert plant.shifts.get(name="Night").day_names == ["Mon", "Tue", "Wed"]
        lane = plant.lanes.first()
    assert owner_client.post(f"/lanes/{lane.pk}/delete/").status_code == 302
    with schema_context(organization.schema_name):
        assert plant.lanes.count() == 2
    page = owner_client.get(f"/plants/{plant.pk}/").content.decode()
    assert "Night" in page and "Cutting" in page


def test_pages_answer_404_for_records_that_do_not_exist(owner_client, records):
    for url in ("/plants/999/", "/materials/999/", "/work-orders/999/edit/", "/ncrs/999/", "/lanes/999/edit/"):
        assert owner_client.get(url).status_code == 404, url


def test_signed_out_visitors_are_sent_to_sign_in(organization, records):
    response = client_for(organization).get("/work-orders/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_members_do_not_see_the_setup_card_they_cannot_act_on(member_client, owner_client):
    assert "Complete your setup" in owner_client.get("/").content.decode()
    assert "Complete your setup" not in member_client.get("/").content.decode()


def test_a_negative_count_is_refused_on_the_field(member_client, records, organization):
    response = member_client.post(f"/materials/{records['material'].pk}/count/", {"quantity_on_hand": "-3"})
    assert response.status_code == 200 and b'class="field-error"' in response.content
    with schema_context(organization.schema_name):
        assert Material.objects.get().quantity_on_hand == Decimal(5)


def test_a_new_shift_form_starts_on_monday_to_friday(owner_client, records):
    body = owner_client.get(f"/plants/{records['plant'].pk}/shifts/new/").content.decode()
    assert body.count(" checked") == 5
    for value in (1, 2, 4, 8, 16):
        assert f'name="days" value="{value}"' in body
