"""Reads of the shop floor: filtered lists, the dashboard and onboarding progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet

from shopfloor import states
from shopfloor.models import NCR, ONBOARDING_STEPS, Invitation, Material, OnboardingState, Plant, WorkOrder


def _search(queryset: QuerySet, q: str, fields: tuple[str, ...]) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": q})
    return queryset.filter(condition)


def plant_list(*, q: str = "") -> QuerySet[Plant]:
    """Return plants whose name, code or address matches ``q``."""
    return _search(Plant.objects.all(), q, ("name", "code", "address"))


def material_list(*, q: str = "", unit: str = "", low: bool = False) -> QuerySet[Material]:
    """Return materials matching ``q`` on SKU or name, optionally of one unit or under their reorder point."""
    materials = _search(Material.objects.all(), q, ("sku", "name"))
    if unit:
        materials = materials.filter(unit=unit)
    if low:
        materials = materials.filter(quantity_on_hand__lt=F("reorder_point"))
    return materials


def work_order_list(*, q: str = "", status: str = "", plant: Plant | None = None, open_only: bool = False) -> QuerySet:
    """Return work orders matching ``q`` on number or material, filtered by status and plant."""
    orders = WorkOrder.objects.select_related("material", "plant", "lane")
    orders = _search(orders, q, ("number", "material__sku", "material__name"))
    if status:
        orders = orders.filter(status=status)
    if open_only:
        orders = orders.filter(status__in=states.WORK_ORDER_OPEN)
    if plant is not None:
        orders = orders.filter(plant=plant)
    return orders


def ncr_list(*, q: str = "", status: str = "", severity: str = "") -> QuerySet[NCR]:
    """Return NCRs matching ``q`` on number, description, work order or material, filtered by status and severity."""
    ncrs = NCR.objects.select_related("work_order", "material")
    ncrs = _search(ncrs, q, ("number", "description", "work_order__number", "material__sku", "material__name"))
    if status:
        ncrs = ncrs.filter(status=status)
    if severity:
        ncrs = ncrs.filter(severity=severity)
    return ncrs


def onboarding_state() -> OnboardingState:
    """Return the organisation's onboarding progress (an unsaved blank one before the first step)."""
    return OnboardingState.objects.filter(pk=1).first() or OnboardingState(pk=1)


def onboarding_next_step(state: OnboardingState | None = None) -> str:
    """Return the first wizard step not yet done, or "done"."""
    state = state or onboarding_state()
    return next((step for step in ONBOARDING_STEPS if step not in state.steps_done), "done")


@dataclass(frozen=True)
class SetupItem:
    key: str
    label: str
    done: bool
    url_name: str


@dataclass(frozen=True)
class SetupProgress:
    items: tuple[SetupItem, ...]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def percent(self) -> int:
        return 100 * self.done_count // len(self.items)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.items)

    @property
    def next_item(self) -> SetupItem | None:
        return next((item for item in self.items if not item.done), None)


def setup_progress(state: OnboardingState | None = None) -> SetupProgress:
    """Return the "Complete your setup" checklist, judged from what the workspace really holds."""
    state = state or onboarding_state()
    teammates = get_user_model().objects.filter(is_active=True).count() > 1 or Invitation.objects.exists()
    return SetupProgress(
        (
            SetupItem("organization", "Tell us about your organisation", "organization" in state.steps_done,
                      "shopfloor:onboarding"),
            SetupItem("plant", "Add your first plant", Plant.objects.exists(), "shopfloor:plant_create"),
            SetupItem("team", "Invite your teammates", teammates, "shopfloor:team"),
            SetupItem("work_order", "Create your first work order (or load sample data)",
                      WorkOrder.objects.exists(), "shopfloor:work_order_create"),
            SetupItem("material", "Add your materials", Material.objects.exists(), "shopfloor:material_create"),
        )
    )


def sample_data_exists() -> bool:
    """Return whether any sample material, work order or NCR is in the workspace."""
    return any(model.objects.filter(is_sample=True).exists() for model in (Material, WorkOrder, NCR))


def dashboard_summary(*, with_ncrs: bool, with_setup: bool, state: OnboardingState | None = None) -> dict:
    """Return what the dashboard shows: open work orders, low materials, recent NCRs, plants, setup progress.

    The setup checklist and the sample-data card are for those who configure (``with_setup``).
    """
    open_orders = work_order_list(open_only=True)
    low = material_list(low=True)
    return {
        "open_work_orders": open_orders[:8],
        "open_work_orders_count": open_orders.count(),
        "low_materials": low[:8],
        "low_materials_count": low.count(),
        "recent_ncrs": ncr_list()[:5] if with_ncrs else [],
        "open_ncrs_count": NCR.objects.exclude(status=states.NCRStatus.CLOSED).count() if with_ncrs else 0,
        "plants": Plant.objects.all()[:10],
        "setup": setup_progress(state) if with_setup else None,
        "has_sample_data": with_setup and sample_data_exists(),
    }
