"""Writes for plants and their layout: departments, lanes and shifts."""

from __future__ import annotations

from datetime import time

from django.db import transaction

from shopfloor.models import MON_TO_FRI, Department, Lane, Plant, Shift
from shopfloor.permissions import FeatureNotInPlan
from shopfloor.services.records import record_save, record_update, schema_check, schema_lock
from subscriptions.entitlements import entitlements_for
from subscriptions.limits import limit_enforce

DEFAULT_DEPARTMENTS = ("Cutting", "Welding", "Assembly", "QC")
DEFAULT_LANES = ("Lane 1", "Lane 2", "Lane 3")
DEFAULT_SHIFT = ("Day", time(6, 0), time(14, 0), MON_TO_FRI)


@transaction.atomic
def plant_create(
    *, organization, name: str, code: str, time_zone: str = "UTC", address: str = "", with_defaults: bool = True
) -> Plant:
    """Create a plant within the plan's limits, with four departments, three lanes and a day shift.

    Raise LimitExceeded past the plan's plant limit, and FeatureNotInPlan for a second
    plant without multi-plant operations.
    """
    schema_check(organization)
    schema_lock("plants")
    limit_enforce(organization, "add_plant")
    if Plant.objects.exists() and not entitlements_for(organization).has("multi_plant"):
        raise FeatureNotInPlan("multi_plant")
    plant = record_save(Plant(name=name.strip(), code=code.strip().upper(), time_zone=time_zone, address=address))
    if with_defaults:
        plant_add_defaults(plant=plant)
    return plant


def plant_add_defaults(*, plant: Plant) -> None:
    """Give the plant the usual layout: Cutting, Welding, Assembly and QC, Lanes 1–3, a Mon–Fri day shift."""
    Department.objects.bulk_create([Department(plant=plant, name=name) for name in DEFAULT_DEPARTMENTS])
    Lane.objects.bulk_create([Lane(plant=plant, name=name) for name in DEFAULT_LANES])
    name, start, end, days = DEFAULT_SHIFT
    Shift.objects.create(plant=plant, name=name, start=start, end=end, days=days)


@transaction.atomic
def plant_update(*, plant: Plant, **fields) -> Plant:
    """Change the plant's name, code, time zone or address and return it."""
    if "code" in fields:
        fields["code"] = fields["code"].strip().upper()
    return record_update(plant, fields, allowed=("name", "code", "time_zone", "address"))


@transaction.atomic
def department_create(*, plant: Plant, name: str) -> Department:
    return record_save(Department(plant=plant, name=name.strip()))


@transaction.atomic
def department_update(*, department: Department, **fields) -> Department:
    return record_update(department, fields, allowed=("name",))


@transaction.atomic
def lane_create(*, plant: Plant, name: str, department: Department | None = None) -> Lane:
    return record_save(Lane(plant=plant, name=name.strip(), department=department))


@transaction.atomic
def lane_update(*, lane: Lane, **fields) -> Lane:
    return record_update(lane, fields, allowed=("name", "department"))


@transaction.atomic
def shift_create(*, plant: Plant, name: str, start: time, end: time, days: int = MON_TO_FRI) -> Shift:
    return record_save(Shift(plant=plant, name=name.strip(), start=start, end=end, days=days))


@transaction.atomic
def shift_update(*, shift: Shift, **fields) -> Shift:
    return record_update(shift, fields, allowed=("name", "start", "end", "days"))


@transaction.atomic
def layout_delete(*, record: Department | Lane | Shift) -> None:
    """Delete a department, lane or shift of a plant."""
    record.delete()
