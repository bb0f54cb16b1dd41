"""Each record's rules: numbering, status flows that refuse illegal moves, and field checks."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shopfloor import services
from shopfloor.models import NCR, WorkOrder
from shopfloor.states import DispositionPending, IllegalStatusChange


def test_work_orders_are_numbered_in_sequence(records):
    second = services.work_order_create(
        material=records["material"], quantity=Decimal(1), plant=records["plant"], due_date=date(2030, 2, 1)
    )
    assert records["work_order"].number == f"WO-{records['work_order'].pk:05d}"
    assert second.number == f"WO-{records['work_order'].pk + 1:05d}"


def test_a_work_order_moves_through_every_status_in_order(records):
    work_order = records["work_order"]
    seen = [work_order.status]
    for _ in range(4):
        work_order = services.work_order_advance(work_order=work_order)
        seen.append(work_order.status)
    assert seen == ["planned", "released", "in_progress", "completed", "closed"]
    assert WorkOrder.objects.get(pk=work_order.pk).status == "closed"


@pytest.mark.parametrize("wanted", ["in_progress", "completed", "closed", "planned"])
def test_a_planned_work_order_refuses_to_skip_or_stay(records, wanted):
    with pytest.raises(IllegalStatusChange, match="planned"):
        services.work_order_advance(work_order=records["work_order"], to=wanted)
    assert WorkOrder.objects.get(pk=records["work_order"].pk).status == "planned"


def test_a_closed_work_order_cannot_move_back_or_be_edited(records):
    work_order = records["work_order"]
    for _ in range(4):
        work_order = services.work_order_advance(work_order=work_order)
    with pytest.raises(IllegalStatusChange):
        services.work_order_advance(work_order=work_order, to="in_progress")
    with pytest.raises(IllegalStatusChange):
        services.work_order_advance(work_order=work_order)
    with pytest.raises(ValidationError) as error:
        services.work_order_update(work_order=work_order, quantity=Decimal(3))
    assert "status" in error.value.message_dict


def test_a_work_order_refuses_a_lane_of_another_plant(records, in_tenant):
    from subscriptions.entitlements import entitlements_for

    assert entitlements_for(in_tenant).has("multi_plant")  # the trial is Professional
    other = services.plant_create(organization=in_tenant, name="Leeds", code="LDS-1")
    with pytest.raises(ValidationError) as error:
        services.work_order_create(
            material=records["material"], quantity=Decimal(1), plant=records["plant"],
            lane=other.lanes.first(), due_date=date(2030, 1, 1),
        )
    assert "lane" in error.value.message_dict


def test_a_work_order_refuses_a_zero_quantity(records):
    with pytest.raises(ValidationError) as error:
        services.work_order_create(
            material=records["material"], quantity=Decimal(0), plant=records["plant"], due_date=date(2030, 1, 1)
        )
    assert "quantity" in error.value.message_dict


def test_an_ncr_moves_open_investigating_closed_and_needs_a_disposition_to_close(records, in_tenant):
    ncr = services.ncr_create(organization=in_tenant, description="Scratched", work_order=records["work_order"])
    assert (ncr.number, ncr.status, ncr.disposition) == (f"NCR-{ncr.pk:05d}", "open", "pending")
    assert ncr.material == records["material"]  # taken from the work order
    with pytest.raises(IllegalStatusChange):
        services.ncr_advance(ncr=ncr, to="closed")
    ncr = services.ncr_advance(ncr=ncr)
    assert ncr.status == "investigating"
    with pytest.raises(DispositionPending) as error:
        services.ncr_advance(ncr=ncr)
    assert (error.value.field, error.value.status) == ("disposition", 409)
    assert NCR.objects.get(pk=ncr.pk).status == "investigating"
    services.ncr_update(ncr=ncr, disposition="scrap")
    assert services.ncr_advance(ncr=ncr).status == "closed"
    with pytest.raises(IllegalStatusChange):
        services.ncr_advance(ncr=ncr, to="open")


def test_an_ncr_must_be_about_a_work_order_or_a_material(in_tenant):
    with pytest.raises(ValidationError) as error:
        services.ncr_create(organization=in_tenant, description="Something is off")
    assert "work_order" in error.value.message_dict
    assert not NCR.objects.exists()


def test_material_skus_are_unique(records):
    with pytest.raises(ValidationError) as error:
        services.material_create(sku="STL-2", name="Again")
    assert "sku" in error.value.message_dict


def test_a_shift_needs_a_weekday_and_a_different_end(records):
    plant = records["plant"]
    with pytest.raises(ValidationError) as error:
        services.shift_create(plant=plant, name="Night", start=time(22), end=time(22), days=0)
    assert set(error.value.message_dict) == {"end", "days"}
    night = services.shift_create(plant=plant, name="Night", start=time(22), end=time(6), days=0b1100000)
    assert night.day_names == ["Sat", "Sun"]


def test_plant_codes_are_upper_cased_and_validated(in_tenant):
    plant = services.plant_create(organization=in_tenant, name="Pune", code="pun-1")
    assert plant.code == "PUN-1"
    with pytest.raises(ValidationError) as error:
        services.plant_update(plant=plant, code="bad code!")
    assert "code" in error.value.message_dict
