"""Tenant isolation: another workspace's user reads and changes nothing here, by page or by API."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import NCR, Material, Plant, WorkOrder
from tests.conftest import PASSWORD, client_for
from tests.shopfloor.conftest import plan_set


@pytest.fixture
def acme(other_organization, organization, records, onboarded):
    """Acme's records, with an NCR, and ids that do not exist in the outsider's workspace."""
    with schema_context(organization.schema_name):
        ncr = services.ncr_create(organization=organization, description="Dent", work_order=records["work_order"])
    return {**records, "ncr": ncr}


def _page_urls(acme) -> list[str]:
    plant, material, work_order, ncr = acme["plant"], acme["material"], acme["work_order"], acme["ncr"]
    lane, shift = plant.lanes.first(), plant.shifts.first()
    return [
        f"/plants/{plant.pk}/", f"/plants/{plant.pk}/edit/", f"/materials/{material.pk}/",
        f"/materials/{material.pk}/edit/", f"/materials/{material.pk}/count/", f"/work-orders/{work_order.pk}/",
        f"/work-orders/{work_order.pk}/edit/", f"/ncrs/{ncr.pk}/", f"/ncrs/{ncr.pk}/edit/",
        f"/lanes/{lane.pk}/edit/", f"/shifts/{shift.pk}/edit/", f"/plants/{plant.pk}/lanes/new/",
    ]


def _api_urls(acme) -> list[str]:
    return [
        f"/api/v1/plants/{acme['plant'].pk}", f"/api/v1/materials/{acme['material'].pk}",
        f"/api/v1/work-orders/{acme['work_order'].pk}", f"/api/v1/ncrs/{acme['ncr'].pk}",
    ]


def test_an_outsider_gets_404_for_every_page_of_another_workspaces_records(acme, other_organization, outsider):
    plan_set(other_organization, "enterprise")
    client = client_for(other_organization, outsider)  # on their own host, where Acme's ids do not exist
    for url in _page_urls(acme):
        assert client.get(url).status_code == 404, url
    for url in _api_urls(acme):
        assert client.get(url).status_code == 404, url
    listing = client.get("/api/v1/work-orders").json()
    assert listing["count"] == 0


def test_an_outsiders_session_is_not_signed_in_at_another_workspace(acme, organization, other_organization, outsider):
    client = client_for(other_organization, outsider)
    client.defaults["HTTP_HOST"] = organization.host  # same cookies, Acme's host
    for url in _page_urls(acme) + ["/", "/work-orders/", "/team/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in _api_urls(acme):
        assert client.get(url).status_code == 401, url  # not signed in here
    advance = client.post(f"/work-orders/{acme['work_order'].pk}/advance/")
    api_change = client.patch(_api_urls(acme)[1], {"name": "Hacked"}, content_type="application/json")
    assert advance.status_code == 302 and api_change.status_code == 401
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.get().status == "planned"
        assert Material.objects.get().name == "Steel sheet"


def test_an_outsiders_token_is_refused_by_another_workspaces_api(acme, organization, other_organization, outsider):
    plan_set(organization, "enterprise")
    plan_set(other_organization, "enterprise")
    token = client_for(other_organization).post(
        "/api/v1/auth/token", {"email": outsider.email, "password": PASSWORD}
    ).json()["access"]
    client = client_for(organization)
    for url in _api_urls(acme) + ["/api/v1/plants"]:
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 401, url
        assert response.json()["detail"] == "This token belongs to another workspace."
        assert response["WWW-Authenticate"].startswith("Bearer")
    created = client.post("/api/v1/materials", {"sku": "X", "name": "X"}, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}")
    assert created.status_code == 401
    with schema_context(organization.schema_name):
        assert Material.objects.count() == 1 and Plant.objects.count() == 1 and NCR.objects.count() == 1
