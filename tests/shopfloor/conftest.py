"""Shop-floor fixtures: plans set through the subscription itself, and ready-made records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Subscription


def plan_set(organization, tier: str, status: str = "active") -> None:
    """Put the organisation on ``tier`` with ``status`` and drop its cached entitlements."""
    Subscription.objects.filter(organization=organization).update(tier=tier, status=status)
    entitlements_forget(organization)


@pytest.fixture
def in_tenant(organization):
    """Run the test body inside the organisation's schema."""
    with schema_context(organization.schema_name):
        yield organization


@pytest.fixture
def records(in_tenant):
    """Return a plant (with its defaults), a material and a planned work order in the organisation."""
    from shopfloor import services

    plant = services.plant_create(organization=in_tenant, name="Detroit", code="DET-1", time_zone="America/Detroit")
    material = services.material_create(
        sku="STL-2", name="Steel sheet", unit="sheet", quantity_on_hand=Decimal(5), reorder_point=Decimal(10)
    )
    work_order = services.work_order_create(
        material=material, quantity=Decimal(20), plant=plant, lane=plant.lanes.first(), due_date=date(2030, 1, 15)
    )
    return {"plant": plant, "material": material, "work_order": work_order}


@pytest.fixture
def onboarded(organization):
    """Mark the organisation's setup wizard as finished, so the dashboard shows itself."""
    from shopfloor import services

    with schema_context(organization.schema_name):
        for step in ("organization", "done"):
            services.onboarding_step_complete(step=step)
    return organization
