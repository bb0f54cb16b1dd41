"""Each tenant page costs a fixed number of queries, however many rows the workspace holds.

The counts are pinned as they are sent to PostgreSQL, for a signed-in owner after a first visit:
the host and the entitlements then come from the cache, and the connection already searches the
workspace's schema (a request after another workspace's, or on a new connection, sends one
``SET search_path`` more; tests/tenants/test_domain_cache.py pins that). Each page is measured with one row of each kind,
then again after many more rows are added, related to the very records the detail pages show:
an N+1 anywhere makes the second count larger.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tests.conftest import billed, client_for, tenant_user
from tests.security.factories import (
    DepartmentFactory,
    InvitationFactory,
    LaneFactory,
    MaterialFactory,
    NCRFactory,
    PlantFactory,
    ShiftFactory,
    WorkOrderFactory,
    workspace_fill,
)

# Page -> queries, the session and the user counted.
PINNED = {
    "/": 8,  # session, user, onboarding state, every count in one query, 4 lists
    "/plants/": 4,
    "/plants/{plant}/": 6,
    "/work-orders/": 5,
    "/work-orders/{work_order}/": 4,
    "/materials/": 4,
    "/materials/{material}/": 4,
    "/ncrs/": 4,
    "/ncrs/{ncr}/": 3,
    "/team/": 5,
    "/billing/": 5,  # session, user, subscription, its add-ons (once), invoices
}


def queries_per_page(client, ids: dict[str, int]) -> dict[str, int]:
    """Return the queries each page sends on a second visit, asserting each one answered 200."""
    counts = {}
    for page in PINNED:
        url = page.format(**ids)
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = len(captured.captured_queries)
    return counts


def add_many_rows(organization, ids: dict[str, int], n: int = 12) -> None:
    """Add ``n`` of each kind of record, many of them hanging off the records the detail pages show."""
    from shopfloor.models import Material, Plant, WorkOrder

    for _ in range(4):
        tenant_user(organization, role="member")
    with schema_context(organization.schema_name):
        plant = Plant.objects.get(pk=ids["plant"])
        material = Material.objects.get(pk=ids["material"])
        work_order = WorkOrder.objects.get(pk=ids["work_order"])
        for _ in range(n):
            department = DepartmentFactory(plant=plant)
            lane = LaneFactory(plant=plant, department=department)
            ShiftFactory(plant=plant)
            other_plant = PlantFactory()
            other_material = MaterialFactory()
            WorkOrderFactory(material=material, plant=plant, lane=lane)
            WorkOrderFactory(material=other_material, plant=other_plant, lane=LaneFactory(plant=other_plant))
            NCRFactory(work_order=work_order)
            NCRFactory(work_order=None, material=other_material)
            InvitationFactory()


@pytest.fixture
def owner_client(organization, owner, onboarded):
    billed(organization, tier="enterprise")  # every page, NCRs included, is in the plan
    return client_for(organization, owner)


def test_each_tenant_page_sends_its_pinned_number_of_queries_with_one_row_of_each_kind(
    organization, owner_client
):
    ids = workspace_fill(organization, "Acme")

    assert queries_per_page(owner_client, ids) == PINNED


def test_many_more_rows_add_no_query_to_any_page(organization, owner_client):
    ids = workspace_fill(organization, "Acme")
    add_many_rows(organization, ids)

    assert queries_per_page(owner_client, ids) == PINNED


def test_the_dashboard_counts_what_the_workspace_holds(organization, owner_client):
    ids = workspace_fill(organization, "Acme")
    add_many_rows(organization, ids, n=3)

    page = owner_client.get("/")

    # workspace_fill's order and NCR, plus 3 x 2 orders and 3 x 2 NCRs, all open; its material and the
    # 3 new ones are under their reorder point (the factory's 5 < 10).
    assert page.context["open_work_orders_count"] == 7
    assert page.context["open_ncrs_count"] == 7
    assert page.context["low_materials_count"] == 4
    assert len(page.context["open_work_orders"]) == 7
    assert page.context["setup"].done_count == 5
    assert page.context["has_sample_data"] is False
