"""Writes for materials, work orders and non-conformance reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from shopfloor import states
from shopfloor.models import NCR, Lane, Material, Plant, WorkOrder
from shopfloor.permissions import FeatureNotInPlan
from shopfloor.services.records import record_number, record_save, record_update, schema_check
from subscriptions.entitlements import entitlements_for

MATERIAL_FIELDS = ("sku", "name", "unit", "quantity_on_hand", "reorder_point")


def _status_move(model, flow: dict[str, str], *, pk: int, to: str | None):
    """Lock the row and set its status to ``to`` (default: the next one); raise IllegalStatusChange otherwise."""
    locked = model.objects.select_for_update().get(pk=pk)
    wanted = to or flow.get(locked.status) or locked.status
    locked.status = states.next_status_check(flow=flow, record=locked.number, current=locked.status, wanted=wanted)
    return locked


@transaction.atomic
def material_create(
    *, sku: str, name: str, unit: str = "pcs", quantity_on_hand: Decimal = Decimal(0), reorder_point: Decimal = Decimal(0)
) -> Material:
    """Create a material and return it; SKUs are unique."""
    return record_save(
        Material(
            sku=sku.strip(), name=name.strip(), unit=unit, quantity_on_hand=quantity_on_hand, reorder_point=reorder_point
        )
    )


@transaction.atomic
def material_update(*, material: Material, **fields) -> Material:
    """Change the material's master data or quantity and return it."""
    return record_update(material, fields, allowed=MATERIAL_FIELDS)


@transaction.atomic
def material_adjust(*, material: Material, quantity_on_hand: Decimal) -> Material:
    """Set the quantity on hand after a count; operators may do this."""
    return record_update(material, {"quantity_on_hand": quantity_on_hand}, allowed=("quantity_on_hand",))


@transaction.atomic
def work_order_create(
    *, material: Material, quantity: Decimal, plant: Plant, due_date: date, lane: Lane | None = None
) -> WorkOrder:
    """Create a planned work order numbered WO-00001, WO-00002, … and return it."""
    pk, number = record_number(WorkOrder, "WO")
    return record_save(
        WorkOrder(pk=pk, number=number, material=material, quantity=quantity, plant=plant, lane=lane, due_date=due_date)
    )


@transaction.atomic
def work_order_update(*, work_order: WorkOrder, **fields) -> WorkOrder:
    """Change a work order that is not closed yet and return it."""
    if work_order.status == states.WorkOrderStatus.CLOSED:
        raise ValidationError({"status": "A closed work order cannot be changed."})
    return record_update(work_order, fields, allowed=("material", "quantity", "plant", "lane", "due_date"))


@transaction.atomic
def work_order_advance(*, work_order: WorkOrder, to: str | None = None) -> WorkOrder:
    """Move the work order to ``to`` (default: the next status); raise IllegalStatusChange for any other move."""
    locked = _status_move(WorkOrder, states.WORK_ORDER_FLOW, pk=work_order.pk, to=to)
    locked.save(update_fields=["status", "updated_at"])
    return locked


@transaction.atomic
def ncr_create(
    *,
    organization,
    description: str,
    severity: str = states.Severity.MINOR,
    work_order: WorkOrder | None = None,
    material: Material | None = None,
    disposition: str = states.Disposition.PENDING,
    reported_by=None,
    impersonated_by: str = "",
) -> NCR:
    """Record a non-conformance numbered NCR-00001, … and return it; needs quality management.

    A report about a work order without a material takes the work order's material.
    ``impersonated_by`` names the operator who made it while signed in as ``reported_by``.
    """
    schema_check(organization)
    if not entitlements_for(organization).has("quality_management"):
        raise FeatureNotInPlan("quality_management")
    if work_order is not None and material is None:
        material = work_order.material
    pk, number = record_number(NCR, "NCR")
    return record_save(
        NCR(
            pk=pk,
            number=number,
            description=description.strip(),
            severity=severity,
            work_order=work_order,
            material=material,
            disposition=disposition,
            reported_by=reported_by,
            impersonated_by=impersonated_by,
        )
    )


@transaction.atomic
def ncr_update(*, ncr: NCR, **fields) -> NCR:
    """Change an NCR that is not closed yet and return it."""
    if ncr.status == states.NCRStatus.CLOSED:
        raise ValidationError({"status": "A closed NCR cannot be changed."})
    return record_update(ncr, fields, allowed=("work_order", "material", "description", "severity", "disposition"))


@transaction.atomic
def ncr_advance(*, ncr: NCR, to: str | None = None) -> NCR:
    """Move the NCR open → investigating → closed; closing needs a disposition other than pending."""
    locked = _status_move(NCR, states.NCR_FLOW, pk=ncr.pk, to=to)
    if locked.status == states.NCRStatus.CLOSED and locked.disposition == states.Disposition.PENDING:
        raise states.DispositionPending()
    locked.save(update_fields=["status", "updated_at"])
    return locked
