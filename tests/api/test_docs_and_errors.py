"""The API's docs work offline, anonymous calls get 401 with a challenge, and unknown fields are refused.

Swagger UI (``/api/docs/``) and ReDoc (``/api/redoc/``) come from drf-spectacular-sidecar's static files on
both hosts; every write endpoint outside subscriptions and billing refuses a key it does not know with
``{"<key>": ["Unknown field."]}`` (``unison.api_errors.validated``) and changes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.urls import resolve
from django_tenants.utils import schema_context

from tests.conftest import PASSWORD, client_for, unique_slug
from tests.e2e.conftest import browser, page, site  # noqa: F401 (fixtures)
from tests.shopfloor.conftest import plan_set
from tests.signin import console_client, next_code

DOC_PAGES = ("/api/docs/", "/api/redoc/")
ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture
def enterprise(organization):
    plan_set(organization, "enterprise")
    return organization


@pytest.fixture
def operator_client(db) -> Client:
    from accounts.models import User

    connection.set_schema_to_public()
    operator = User.objects.create_superuser("operator@api.test", PASSWORD, full_name="Api Operator")
    return console_client(operator)


def _hosts(organization) -> dict[str, Client]:
    return {"public": Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN), "tenant": client_for(organization)}


# Docs and schema


@pytest.mark.parametrize("path", DOC_PAGES)
def test_the_docs_pages_load_only_our_own_static_files(organization, path):
    for host, client in _hosts(organization).items():
        response = client.get(path)
        assert response.status_code == 200, (host, path)
        html = response.content.decode()
        assert "http://" not in html and "https://" not in html, (host, path)
        assets = ASSET.findall(html)
        assert assets, (host, path)
        for url in assets:
            assert not url.startswith("//"), url
            assert url.startswith(settings.STATIC_URL), url
            assert finders.find(urlsplit(url).path.removeprefix(settings.STATIC_URL)), f"{url} is not a static file"


def test_each_host_serves_its_own_schema(organization):
    hosts = _hosts(organization)
    public = hosts["public"].get("/api/schema/", {"format": "json"})
    tenant = hosts["tenant"].get("/api/schema/", {"format": "json"})
    assert public.status_code == 200 and tenant.status_code == 200
    public_paths, tenant_paths = set(public.json()["paths"]), set(tenant.json()["paths"])
    assert {"/api/v1/signup", "/api/v1/admin/organizations"} <= public_paths
    assert {"/api/v1/work-orders/{id}/advance", "/api/v1/auth/token"} <= tenant_paths
    # Neither host describes (or routes) the other's API.
    assert not any(path.startswith("/api/v1/admin/") for path in tenant_paths)
    assert "/api/v1/work-orders" not in public_paths


def _operations(client, urlconf: str):
    """Yield (method, path, view module, description) for each operation of the host's schema."""
    for path, operations in client.get("/api/schema/", {"format": "json"}).json()["paths"].items():
        view = resolve(re.sub(r"\{[^}]+\}", "1", path), urlconf=urlconf).func.cls
        for method, operation in operations.items():
            yield method, path, view.__module__, operation.get("description", "")


@pytest.mark.parametrize("host, urlconf", [("public", "unison.urls_public"), ("tenant", "unison.urls_tenant")])
def test_every_endpoint_outside_billing_and_subscriptions_has_a_description_of_its_own(organization, host, urlconf):
    seen: dict[str, str] = {}
    for method, path, module, description in _operations(_hosts(organization)[host], urlconf):
        if module.startswith(("subscriptions.", "billing.")):
            continue
        operation = f"{method.upper()} {path}"
        assert description.strip(), f"{operation} ({module}) has no description"
        assert description not in seen, f"{operation} has the description of {seen.get(description)}"
        seen[description] = operation
    assert len(seen) >= (15 if host == "tenant" else 10)


# 401 for anonymous calls


@pytest.mark.parametrize("host, path", [
    ("tenant", "/api/v1/work-orders"), ("tenant", "/api/v1/auth/me"), ("tenant", "/api/v1/plants"),
    ("public", "/api/v1/admin/organizations"), ("public", "/api/v1/admin/metrics"),
])
def test_an_anonymous_call_gets_401_with_a_bearer_challenge(organization, host, path):
    response = _hosts(organization)[host].get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


# Unknown fields


@pytest.fixture
def tenant_records(enterprise):
    from shopfloor import services

    with schema_context(enterprise.schema_name):
        plant = services.plant_create(organization=enterprise, name="Detroit", code="DET-1", time_zone="America/Detroit")
        material = services.material_create(sku="STL-2", name="Steel sheet", unit="sheet",
                                            quantity_on_hand=Decimal(5), reorder_point=Decimal(10))
        work_order = services.work_order_create(material=material, quantity=Decimal(20), plant=plant,
                                                lane=plant.lanes.first(), due_date=date(2030, 1, 15))
        ncr = services.ncr_create(organization=enterprise, description="Dent", work_order=work_order)
    return {"plant": plant.pk, "material": material.pk, "work_order": work_order.pk, "ncr": ncr.pk}


def _snapshot(organization) -> list:
    """Return every shop-floor record's fields, to show that a refused call changed nothing."""
    from shopfloor.models import NCR, Material, Plant, WorkOrder

    with schema_context(organization.schema_name):
        return [list(model.objects.order_by("pk").values()) for model in (Plant, Material, WorkOrder, NCR)]


TENANT_WRITES = [
    ("post", "/api/v1/work-orders/{work_order}/advance", {"to": "closed"}, "to"),
    ("post", "/api/v1/ncrs/{ncr}/advance", {"to": "closed"}, "to"),
    ("post", "/api/v1/plants", {"name": "Leeds", "code": "LDS-1", "time_zone": "Europe/London", "colour": "red"},
     "colour"),
    ("patch", "/api/v1/plants/{plant}", {"name": "Leeds", "colour": "red"}, "colour"),
    ("post", "/api/v1/materials", {"sku": "AL-1", "name": "Bar", "unit": "kg", "supplier": "Acme"}, "supplier"),
    ("patch", "/api/v1/materials/{material}", {"nmae": "Typo"}, "nmae"),
    ("post", "/api/v1/materials/{material}/count", {"quantity_on_hand": "3", "counted_by": "me"}, "counted_by"),
    ("post", "/api/v1/work-orders", {"material": "{material}", "quantity": "5", "plant": "{plant}",
                                     "priority": "high"}, "priority"),
    ("put", "/api/v1/work-orders/{work_order}", {"material": "{material}", "quantity": "5", "plant": "{plant}",
                                                 "priority": "high"}, "priority"),
    ("post", "/api/v1/ncrs", {"description": "Scratch", "assignee": "me"}, "assignee"),
    ("patch", "/api/v1/ncrs/{ncr}", {"description": "Scratch", "assignee": "me"}, "assignee"),
]


def _fill(value, ids: dict):
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("method, path, body, unknown", TENANT_WRITES, ids=[f"{m} {p}" for m, p, _, _ in TENANT_WRITES])
def test_a_tenant_write_with_an_unknown_field_is_refused_and_changes_nothing(
    enterprise, owner, tenant_records, method, path, body, unknown
):
    before = _snapshot(enterprise)
    body = {key: _fill(value, tenant_records) for key, value in body.items()}
    response = getattr(client_for(enterprise, owner), method)(
        _fill(path, tenant_records), body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[unknown] == ["Unknown field."]
    assert _snapshot(enterprise) == before


def test_the_same_call_without_the_unknown_field_goes_through(enterprise, owner, tenant_records):
    client = client_for(enterprise, owner)
    advanced = client.post(f"/api/v1/work-orders/{tenant_records['work_order']}/advance", {},
                           content_type="application/json")
    assert advanced.status_code == 200 and advanced.json()["status"] == "released"


def test_an_unknown_field_and_a_bad_one_are_named_together(enterprise, owner, tenant_records):
    response = client_for(enterprise, owner).post(
        f"/api/v1/materials/{tenant_records['material']}/count", {"quantity_on_hand": "lots", "qty": 3},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"quantity_on_hand", "qty"}


def test_the_token_endpoints_refuse_unknown_fields(organization, owner):
    client = Client(HTTP_HOST=organization.host)
    obtained = client.post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD, "schema": "public"},
                           content_type="application/json")
    assert obtained.status_code == 400 and obtained.json() == {"schema": ["Unknown field."]}
    refresh = client.post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD},
                          content_type="application/json").json()["refresh"]
    refreshed = client.post("/api/v1/auth/token/refresh", {"refresh": refresh, "lifetime": 999},
                            content_type="application/json")
    assert refreshed.status_code == 400 and refreshed.json() == {"lifetime": ["Unknown field."]}
    assert client.post("/api/v1/auth/token/refresh", {"refresh": refresh},
                       content_type="application/json").status_code == 200


def test_signup_refuses_an_unknown_field_and_makes_no_workspace(db):
    from tenants.models import Organization

    slug = unique_slug("api")
    response = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN).post("/api/v1/signup", {
        "organization_name": "Api Works", "subdomain": slug, "full_name": "Ann Api",
        "email": f"ann@{slug}.example.com", "password": "a-long-password-123", "plan": "enterprise",
    }, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"plan": ["Unknown field."]}
    assert not Organization.objects.filter(slug=slug).exists()


def test_the_admin_api_refuses_unknown_fields_and_changes_nothing(operator_client, organization, owner):
    from accounts.models import User
    from tenants.models import Organization

    connection.set_schema_to_public()
    operator = User.objects.get(email="operator@api.test")

    trial_ends_at = organization.subscription.trial_ends_at
    calls = [
        (f"/api/v1/admin/organizations/{organization.pk}", "patch", {"name": "Renamed", "tier": "enterprise"}, "tier"),
        (f"/api/v1/admin/subscriptions/{organization.subscription.pk}/extend-trial", "post",
         {"days": 7, "reason": "asked nicely"}, "reason"),
        ("/api/v1/admin/impersonate", "post", {"organization_id": organization.pk, "user_id": owner.pk,
                                               "minutes": 30, "reason": "support", "role": "owner"}, "role"),
        ("/api/v1/admin/auth/token", "post", {"email": "operator@api.test", "password": PASSWORD, "scope": "all",
                                              "two_factor_code": next_code(operator)}, "scope"),
    ]
    for url, method, body, unknown in calls:
        response = getattr(operator_client, method)(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {unknown: ["Unknown field."]}, url
    organization = Organization.objects.select_related("subscription").get(pk=organization.pk)
    assert organization.name == "Acme Works" and organization.subscription.trial_ends_at == trial_ends_at


def test_the_admin_lists_still_take_the_page_in_their_query_string(operator_client, organization):
    response = operator_client.get("/api/v1/admin/organizations", {"page": 1, "search": "acme"})
    assert response.status_code == 200 and response.json()["count"] == 1


# In a real browser, offline


@pytest.mark.e2e
def test_swagger_ui_and_redoc_render_in_chromium_without_leaving_this_machine(site, page, organization):  # noqa: F811
    requested: list[str] = []
    blocked: set[str] = set()  # by the page's own Content-Security-Policy, before any connection
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: request.failure == "csp" and blocked.add(request.url))
    page.goto(site.tenant_url(organization, "/api/docs/"))
    page.locator(".opblock-summary-path", has_text="/api/v1/work-orders/{id}/advance").first.wait_for()
    page.goto(site.url("/api/redoc/"))
    page.get_by_text("Create a workspace with its free trial").first.wait_for()
    page.wait_for_load_state("networkidle")
    sent = [url for url in requested if url not in blocked and not url.startswith(("data:", "blob:"))]
    assert {urlsplit(url).hostname for url in sent} == {organization.host, site.base_domain}, sent
