"""Writes for onboarding: the organisation's profile, wizard progress and sample data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shopfloor.models import NCR, ONBOARDING_STEPS, Material, OnboardingState, Plant, WorkOrder
from shopfloor.selectors import sample_data_exists
from shopfloor.services.plants import plant_create
from shopfloor.services.production import ncr_create, work_order_advance, work_order_create
from shopfloor.services.records import schema_check
from subscriptions.entitlements import entitlements_for
from tenants.domain_cache import organization_forget
from tenants.models import Organization

PROFILE_FIELDS = ("industry", "company_size", "primary_use_case", "costing_method")

SAMPLE_PLANT = {"name": "Sample Plant", "code": "SAMPLE-1"}
SAMPLE_MATERIALS = (
    # sku, name, unit, on hand, reorder point
    ("SMP-STEEL-2MM", "Steel sheet 2 mm", "sheet", "120", "50"),
    ("SMP-ALU-BAR-20", "Aluminium bar Ø20", "m", "35", "60"),
    ("SMP-BOLT-M8", "Hex bolt M8×30", "pcs", "4200", "1000"),
    ("SMP-CU-BUSBAR", "Copper busbar 30×5", "m", "18", "25"),
    ("SMP-PAINT-GREY", "Powder coat RAL 7035", "kg", "75", "20"),
    ("SMP-ENCL-600", "Enclosure 600×400", "pcs", "8", "10"),
)
# material sku, quantity, days until due, statuses to advance through
SAMPLE_WORK_ORDERS = (
    ("SMP-ENCL-600", "25", 3, ()),
    ("SMP-STEEL-2MM", "40", 5, ("released",)),
    ("SMP-CU-BUSBAR", "12", 1, ("released", "in_progress")),
    ("SMP-ALU-BAR-20", "30", -2, ("released", "in_progress", "completed")),
)
SAMPLE_NCRS = (
    (2, "Burrs on cut edges of sheet batch 14; deburring missed.", "minor", "rework"),
    (3, "Busbar holes drilled 2 mm off drawing position.", "major", "pending"),
)


@transaction.atomic
def organization_update_profile(*, organization: Organization, **fields) -> Organization:
    """Save the organisation's industry, company size, primary use case and costing method; all are required."""
    errors = {}
    for name in PROFILE_FIELDS:
        value = fields.get(name) or ""
        if not value:
            errors[name] = ["This field is required."]
            continue
        try:
            Organization._meta.get_field(name).clean(value, organization)
        except ValidationError as exc:
            errors[name] = exc.messages
    unknown = set(fields) - set(PROFILE_FIELDS)
    errors.update({name: ["This field cannot be changed here."] for name in unknown})
    if errors:
        raise ValidationError(errors)
    Organization.objects.filter(pk=organization.pk).update(**fields)
    organization_forget(organization)  # requests read the organisation from the host cache
    for name, value in fields.items():
        setattr(organization, name, value)
    return organization


def _state_locked() -> OnboardingState:
    OnboardingState.objects.get_or_create(pk=1)
    return OnboardingState.objects.select_for_update().get(pk=1)


@transaction.atomic
def onboarding_step_complete(*, step: str) -> OnboardingState:
    """Record a wizard step as done (or skipped); the last step marks the whole wizard complete."""
    if step not in ONBOARDING_STEPS:
        raise ValueError(f"Unknown onboarding step {step!r}")
    state = _state_locked()
    if step not in state.steps_done:
        state.steps_done = [s for s in ONBOARDING_STEPS if s in state.steps_done or s == step]
    if step == "done" and state.completed_at is None:
        state.completed_at = timezone.now()
    state.save()
    return state


@transaction.atomic
def sample_data_load(*, organization: Organization) -> bool:
    """Add sample materials, work orders and NCRs once; return False when they were already there.

    Uses the first plant, creating a sample plant when there is none. NCRs come only
    with quality management. Everything is written in the current tenant's schema.
    """
    schema_check(organization)
    state = _state_locked()
    if state.sample_data_loaded or Material.objects.filter(is_sample=True).exists():
        return False
    plant = Plant.objects.order_by("id").first() or plant_create(organization=organization, **SAMPLE_PLANT)
    materials = {}
    for sku, name, unit, on_hand, reorder in SAMPLE_MATERIALS:
        materials[sku], _ = Material.objects.get_or_create(
            sku=sku,
            defaults={
                "name": name, "unit": unit, "quantity_on_hand": Decimal(on_hand),
                "reorder_point": Decimal(reorder), "is_sample": True,
            },
        )
    today = timezone.localdate()
    lane = plant.lanes.first()
    work_orders = []
    for sku, quantity, due_in, moves in SAMPLE_WORK_ORDERS:
        work_order = work_order_create(
            material=materials[sku], quantity=Decimal(quantity), plant=plant, lane=lane,
            due_date=today + timedelta(days=due_in),
        )
        for status in moves:
            work_order = work_order_advance(work_order=work_order, to=status)
        WorkOrder.objects.filter(pk=work_order.pk).update(is_sample=True)
        work_orders.append(work_order)
    if entitlements_for(organization).has("quality_management"):
        for index, description, severity, disposition in SAMPLE_NCRS:
            ncr = ncr_create(
                organization=organization, description=description, severity=severity,
                work_order=work_orders[index], disposition=disposition,
            )
            NCR.objects.filter(pk=ncr.pk).update(is_sample=True)
    state.sample_data_loaded = True
    state.save(update_fields=["sample_data_loaded"])
    return True


@transaction.atomic
def sample_data_remove(*, organization: Organization) -> dict[str, int]:
    """Delete the sample NCRs, work orders and materials; return how many of each went.

    A sample the team has since built on stays: a work order with an NCR of their own, a
    material with their own work orders or NCRs. The plant stays too (it may hold their own
    layout). Once no sample is left, the sample data can be loaded again.
    """
    schema_check(organization)
    state = _state_locked()
    samples = {  # lazy: each is read when its turn comes, after the ones before are gone
        "ncrs": NCR.objects.filter(is_sample=True),
        "work_orders": WorkOrder.objects.filter(is_sample=True).exclude(ncrs__isnull=False),
        "materials": Material.objects.filter(is_sample=True)
        .exclude(pk__in=WorkOrder.objects.values("material"))
        .exclude(pk__in=NCR.objects.exclude(material=None).values("material")),
    }
    removed = {}
    for key, queryset in samples.items():
        _, per_model = queryset.delete()
        removed[key] = per_model.get(queryset.model._meta.label, 0)
    state.sample_data_loaded = sample_data_exists()
    state.save(update_fields=["sample_data_loaded"])
    return removed

