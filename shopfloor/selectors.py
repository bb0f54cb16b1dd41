"""Reads of the shop floor: filtered lists, the dashboard and onboarding progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
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


def _counts(**querysets: QuerySet) -> dict[str, int]:
    """Return each queryset's row count, all in one query (slice a queryset to [:1] to ask "any?")."""
    columns, params = [], []
    for name, queryset in querysets.items():
        sql, query_params = queryset.values("pk").query.sql_with_params()
        columns.append(f'(SELECT count(*) FROM ({sql}) AS "{name}_rows") AS "{name}"')  # names are ours
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def _setup_facts() -> dict[str, QuerySet]:
    """Return what the setup checklist counts: each queryset asks whether the workspace holds any."""
    return {
        "active_users": get_user_model().objects.filter(is_active=True)[:2],
        "invitations": Invitation.objects.all()[:1],
        "plants": Plant.objects.all()[:1],
        "work_orders": WorkOrder.objects.all()[:1],
        "materials": Material.objects.all()[:1],
    }


def _sample_facts() -> dict[str, QuerySet]:
    return {f"sample_{model._meta.model_name}": model.objects.filter(is_sample=True)[:1]
            for model in (Material, WorkOrder, NCR)}


def _setup_progress_from(state: OnboardingState, counts: dict[str, int]) -> SetupProgress:
    teammates = counts["active_users"] > 1 or counts["invitations"] > 0
    return SetupProgress(
        (
            SetupItem("organization", "Tell us about your organisation", "organization" in state.steps_done,
                      "shopfloor:onboarding"),
            SetupItem("plant", "Add your first plant", counts["plants"] > 0, "shopfloor:plant_create"),
            SetupItem("team", "Invite your teammates", teammates, "shopfloor:team"),
            SetupItem("work_order", "Create your first work order (or load sample data)",
                      counts["work_orders"] > 0, "shopfloor:work_order_create"),
            SetupItem("material", "Add your materials", counts["materials"] > 0, "shopfloor:material_create"),
        )
    )


def setup_progress(state: OnboardingState | None = None) -> SetupProgress:
    """Return the "Complete your setup" checklist, judged from what the workspace really holds."""
    return _setup_progress_from(state or onboarding_state(), _counts(**_setup_facts()))


def sample_data_exists() -> bool:
    """Return whether any sample material, work order or NCR is in the workspace."""
    return any(_counts(**_sample_facts()).values())


def dashboard_summary(*, with_ncrs: bool, with_setup: bool, state: OnboardingState | None = None) -> dict:
    """Return what the dashboard shows: open work orders, low materials, recent NCRs, plants, setup progress.

    The setup checklist and the sample-data card are for those who configure (``with_setup``). Every
    count on the page comes from one query; each list is one more, with what its rows show joined in.
    """
    open_orders = work_order_list(open_only=True)
    low = material_list(low=True)
    facts = {"open_work_orders": open_orders, "low_materials": low}
    if with_ncrs:
        facts["open_ncrs"] = NCR.objects.exclude(status=states.NCRStatus.CLOSED)
    if with_setup:
        facts |= _setup_facts() | _sample_facts()
    counts = _counts(**facts)
    return {
        "open_work_orders": open_orders[:8],
        "open_work_orders_count": counts["open_work_orders"],
        "low_materials": low[:8],
        "low_materials_count": counts["low_materials"],
        "recent_ncrs": ncr_list()[:5] if with_ncrs else [],
        "open_ncrs_count": counts.get("open_ncrs", 0),
        "plants": Plant.objects.all()[:10],
        "setup": _setup_progress_from(state or onboarding_state(), counts) if with_setup else None,
        "has_sample_data": with_setup and any(count for name, count in counts.items() if name.startswith("sample_")),
    }
