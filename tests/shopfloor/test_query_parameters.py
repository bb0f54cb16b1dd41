"""Query parameters of the shop-floor lists are validated: a bad one is a 400 naming it in the API, and left
out (with its error on the filter form) on the pages; bodies of the data API are JSON only."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from shopfloor.models import NCR
from tests.conftest import client_for
from tests.shopfloor.conftest import plan_set


@pytest.fixture
def api(organization, owner, records):
    plan_set(organization, "enterprise")
    return client_for(organization, owner)


@pytest.mark.parametrize(("url", "query", "name"), [
    ("/api/v1/plants", {"q": "x" * 201}, "q"),
    ("/api/v1/materials", {"q": "x" * 201}, "q"),
    ("/api/v1/materials", {"unit": "lbs"}, "unit"),
    ("/api/v1/materials", {"low": "maybe"}, "low"),
    ("/api/v1/materials", {"low": ""}, "low"),
    ("/api/v1/work-orders", {"status": "flying"}, "status"),
    ("/api/v1/ncrs", {"severity": "catastrophic"}, "severity"),
    ("/api/v1/ncrs", {"status": "reopened"}, "status"),
    ("/api/v1/plants", {"page": "abc"}, "page"),
    ("/api/v1/plants", {"page": "0"}, "page"),
    ("/api/v1/plants", {"page": ""}, "page"),
    ("/api/v1/plants", {"page": "last"}, "page"),
    ("/api/v1/plants", {"page": "1.5"}, "page"),
])
def test_a_bad_query_parameter_of_a_list_is_a_400_naming_it(api, url, query, name):
    response = api.get(url, query)
    assert response.status_code == 400, response.content
    assert list(response.json()) == [name]


def test_good_query_parameters_still_filter(api):
    assert api.get("/api/v1/work-orders", {"status": "planned"}).json()["count"] == 1
    assert api.get("/api/v1/work-orders", {"status": "closed"}).json()["count"] == 0
    assert api.get("/api/v1/materials", {"unit": "sheet", "low": "true", "q": "steel"}).json()["count"] == 1
    assert api.get("/api/v1/materials", {"unit": "", "q": ""}).json()["count"] == 1  # blank is "any"
    assert api.get("/api/v1/plants", {"q": "x" * 200, "page": "1"}).status_code == 200
    assert api.get("/api/v1/plants", {"page": "2"}).status_code == 404  # a page past the last


def test_a_record_reads_with_the_lists_parameters_ignored(api, records):
    response = api.get(f"/api/v1/work-orders/{records['work_order'].pk}", {"status": "flying"})
    assert response.status_code == 200


def test_a_list_page_leaves_out_only_the_bad_filter(organization, owner, records, onboarded):
    page = client_for(organization, owner).get("/materials/", {"q": "x" * 201, "unit": "sheet"})
    assert page.status_code == 200
    assert list(page.context["filter_form"].errors) == ["q"]
    assert "STL-2" in page.content.decode()  # the unit filter still applies, the search does not
    other_unit = client_for(organization, owner).get("/materials/", {"q": "x" * 201, "unit": "kg"})
    assert "STL-2" not in other_unit.content.decode()


def test_a_multipart_body_is_refused_and_does_not_advance_an_ncr(api, records, organization):
    with schema_context(organization.schema_name):
        from shopfloor import services

        ncr = services.ncr_create(organization=organization, description="Dent", work_order=records["work_order"])
    junk = api.post(f"/api/v1/ncrs/{ncr.pk}/advance", data=b"\x00junk", content_type="multipart/form-data")
    form = api.post(f"/api/v1/ncrs/{ncr.pk}/advance", {"status": "investigating"})  # the test client's multipart
    assert (junk.status_code, form.status_code) == (415, 415)
    with schema_context(organization.schema_name):
        assert NCR.objects.get(pk=ncr.pk).status == "open"
    moved = api.post(f"/api/v1/ncrs/{ncr.pk}/advance", {"status": "investigating"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "investigating"
