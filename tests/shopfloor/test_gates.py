"""Plan gates and limits: plants count against the plan, NCRs need quality management, read-only stops writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import NCR, Material, Plant, WorkOrder
from shopfloor.permissions import FeatureNotInPlan
from subscriptions.entitlements import entitlements_forget
from subscriptions.limits import LimitExceeded, upgrade_url
from subscriptions.models import SubscriptionAddOn
from tests.conftest import client_for
from tests.shopfloor.conftest import plan_set

PLANT = {"name": "Second", "code": "TWO-1", "time_zone": "UTC", "address": ""}


@pytest.fixture
def owner_client(organization, owner, onboarded):
    return client_for(organization, owner)


def test_starter_allows_one_plant_and_refuses_the_second_with_an_upgrade_link(organization, owner_client):
    plan_set(organization, "starter")
    first = owner_client.post("/plants/new/", {**PLANT, "name": "First", "code": "ONE-1"})
    assert first.status_code == 302
    refused = owner_client.post("/plants/new/", PLANT)
    assert refused.status_code == 403
    body = refused.content.decode()
    assert "Your plan includes 1 plant and you have 1. Upgrade to Professional (5 plants)." in body
    assert f'href="{upgrade_url()}"' in body
    with schema_context(organization.schema_name):
        assert list(Plant.objects.values_list("code", flat=True)) == ["ONE-1"]
        with pytest.raises(LimitExceeded):
            services.plant_create(organization=organization, name="Third", code="THREE")
    warned = owner_client.get("/plants/new/").content.decode()
    assert "Upgrade your plan" in warned


def test_a_second_plant_needs_multi_plant_operations_even_with_an_extra_plant_add_on(organization, owner_client):
    plan_set(organization, "starter")
    SubscriptionAddOn.objects.create(
        subscription=organization.subscription, kind="extra_plant", quantity=1, unit_price_cents=2500
    )
    entitlements_forget(organization)
    with schema_context(organization.schema_name):
        services.plant_create(organization=organization, name="First", code="ONE-1")
        with pytest.raises(FeatureNotInPlan):
            services.plant_create(organization=organization, name="Second", code="TWO-1")
    refused = owner_client.post("/plants/new/", PLANT)
    assert refused.status_code == 403
    assert "Multi-plant operations is not in your plan" in refused.content.decode()


def test_professional_allows_five_plants_and_refuses_the_sixth(organization):
    plan_set(organization, "professional")
    with schema_context(organization.schema_name):
        for number in range(5):
            services.plant_create(organization=organization, name=f"P{number}", code=f"P-{number}", with_defaults=False)
        with pytest.raises(LimitExceeded) as refused:
            services.plant_create(organization=organization, name="P5", code="P-5")
        assert refused.value.check.limit == 5
        assert Plant.objects.count() == 5


def test_ncrs_are_refused_on_starter_with_an_upgrade_link(organization, owner_client, records):
    plan_set(organization, "starter")
    for url in ("/ncrs/", "/ncrs/new/"):
        response = owner_client.get(url)
        assert response.status_code == 403
        assert "Quality management (NCRs) is not in your plan" in response.content.decode()
        assert upgrade_url() in response.content.decode()
    posted = owner_client.post("/ncrs/new/", {"work_order": records["work_order"].pk, "description": "x"})
    assert posted.status_code == 403
    with schema_context(organization.schema_name):
        with pytest.raises(FeatureNotInPlan):
            services.ncr_create(organization=organization, description="x", material=records["material"])
        assert not NCR.objects.exists()
    assert b'href="/ncrs/"' not in owner_client.get("/").content  # no NCR link in the nav


def test_a_suspended_organization_reads_but_cannot_write(organization, owner_client, records):
    plan_set(organization, "professional", status="suspended")
    assert owner_client.get("/work-orders/").status_code == 200
    assert owner_client.get(f"/work-orders/{records['work_order'].pk}/").status_code == 200
    attempts = [
        ("/work-orders/new/", {"material": records["material"].pk, "quantity": "1", "plant": records["plant"].pk,
                               "due_date": "2030-01-01"}),
        (f"/work-orders/{records['work_order'].pk}/advance/", {}),
        ("/plants/new/", PLANT),
        (f"/materials/{records['material'].pk}/count/", {"quantity_on_hand": "1"}),
        ("/onboarding/sample-data/", {"load": "on"}),
    ]
    for url, data in attempts:
        response = owner_client.post(url, data)
        assert response.status_code == 403, url
        assert b"Changes are paused" in response.content
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.get().status == "planned"
        assert Plant.objects.count() == 1
        assert Material.objects.get().quantity_on_hand == Decimal(5)
