"""A NUL character in a query parameter or form field is a 400 everywhere (unison.nul_bytes), never the
server error PostgreSQL's refusal of it would make: the data API, the pages, the public site, the console."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.conftest import client_for
from tests.platform_admin.conftest import console_client, public_user
from tests.shopfloor.conftest import plan_set

API_FILTERS = [  # each with a good value
    ("/api/v1/plants", "q", "det"), ("/api/v1/materials", "q", "steel"), ("/api/v1/materials", "unit", "kg"),
    ("/api/v1/work-orders", "q", "WO"), ("/api/v1/work-orders", "status", "planned"), ("/api/v1/ncrs", "q", "x"),
    ("/api/v1/ncrs", "status", "open"), ("/api/v1/ncrs", "severity", "minor"), ("/api/v1/plants", "page", "1"),
]


@pytest.fixture
def enterprise_owner(organization, owner):
    plan_set(organization, "enterprise")
    return client_for(organization, owner)


@pytest.mark.parametrize(("url", "name", "good"), API_FILTERS)
def test_a_nul_in_an_api_filter_is_a_400_naming_it(enterprise_owner, url, name, good):
    response = enterprise_owner.get(f"{url}?{name}={good}%00")
    assert response.status_code == 400
    assert response.json() == {name: ["Null characters are not allowed."]}
    assert enterprise_owner.get(f"{url}?{name}={good}").status_code == 200  # the same value without it


@pytest.mark.parametrize("url", ["/plants/?q=%00", "/materials/?unit=%00", "/work-orders/?status=%00",
                                 "/ncrs/?q=%00", "/materials/?page=%00"])
def test_a_nul_in_a_page_filter_is_a_400(enterprise_owner, url):
    response = enterprise_owner.get(url)
    assert response.status_code == 400
    assert response.content.decode().startswith(url.split("?")[1].split("=")[0] + ":")


def test_a_nul_in_a_parameter_name_or_a_form_field_is_a_400(enterprise_owner, organization):
    assert enterprise_owner.get("/plants/?q%00=1").status_code == 400
    response = enterprise_owner.post("/plants/new/", {"name": "Leeds\x00", "code": "LDS-1", "time_zone": "UTC"})
    assert response.status_code == 400 and response.content.startswith(b"name:")
    multipart = enterprise_owner.post("/materials/new/", {"sku": "A-1", "name": "Bar", "unit": "kg\x00"})
    assert multipart.status_code == 400


def test_a_nul_in_the_path_is_a_400(enterprise_owner):
    assert enterprise_owner.get("/plants/%00/").status_code == 400


@pytest.fixture
def operator_client(db):
    operator = public_user("nul-operator@unison.test", is_staff=True, is_superuser=True)
    return console_client(operator)


@pytest.mark.parametrize("query", ["subscription__tier__exact=%00", "q=%00", "o=%00", "is_active__exact=%00",
                                   "p=%00"])
def test_a_nul_in_a_console_list_filter_is_a_400(operator_client, organization, query):
    connection.set_schema_to_public()
    assert operator_client.get("/admin/tenants/organization/?subscription__tier__exact=enterprise").status_code == 200
    assert operator_client.get(f"/admin/tenants/organization/?{query}").status_code == 400


def test_a_nul_on_the_public_site_is_a_400(public_client):
    assert public_client.get("/pricing/?cycle=%00").status_code == 400
    assert public_client.get("/api/v1/signup/slug-check?slug=%00").status_code == 400
