"""Bounds on what people type: due dates from 2000 to 2100, descriptions up to 10,000 characters, addresses
up to 500 and names up to their column. Over a bound is a 400 (API) or a form error (pages) naming the
field, and the database refuses what gets past both."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import NCR, Plant, WorkOrder
from tenants.models import LoginToken
from tests.conftest import client_for
from tests.shopfloor.conftest import plan_set


@pytest.fixture
def api(organization, owner, records):
    plan_set(organization, "enterprise")
    return client_for(organization, owner)


@pytest.fixture
def pages(organization, owner, records, onboarded):
    return client_for(organization, owner)


def _work_order(records, due_date: str) -> dict:
    return {"material": records["material"].pk, "quantity": "5", "plant": records["plant"].pk, "due_date": due_date}


@pytest.mark.parametrize("due_date", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_the_api_refuses_a_due_date_outside_2000_to_2100(api, records, organization, due_date):
    response = api.post("/api/v1/work-orders", _work_order(records, due_date), content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["due_date"]
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.count() == 1


@pytest.mark.parametrize("due_date", ["2000-01-01", "2100-12-31"])
def test_the_api_takes_the_first_and_last_day_of_the_range(api, records, due_date):
    response = api.post("/api/v1/work-orders", _work_order(records, due_date), content_type="application/json")
    assert response.status_code == 201 and response.json()["due_date"] == due_date


def test_the_api_refuses_a_description_over_10000_characters(api, records, organization):
    body = {"work_order": records["work_order"].pk, "description": "x" * 10_001}
    response = api.post("/api/v1/ncrs", body, content_type="application/json")
    assert response.status_code == 400 and list(response.json()) == ["description"]
    fits = api.post("/api/v1/ncrs", {**body, "description": "x" * 10_000}, content_type="application/json")
    assert fits.status_code == 201
    with schema_context(organization.schema_name):
        assert NCR.objects.count() == 1


def test_the_api_refuses_an_address_over_500_and_a_name_over_120_characters(api, records):
    plant = records["plant"]
    address = api.patch(f"/api/v1/plants/{plant.pk}", {"address": "a" * 501}, content_type="application/json")
    assert address.status_code == 400 and list(address.json()) == ["address"]
    name = api.patch(f"/api/v1/plants/{plant.pk}", {"name": "n" * 121}, content_type="application/json")
    assert name.status_code == 400 and list(name.json()) == ["name"]
    fits = api.patch(f"/api/v1/plants/{plant.pk}", {"address": "a" * 500}, content_type="application/json")
    assert fits.status_code == 200


def test_the_work_order_page_shows_an_error_on_a_due_date_in_year_1(pages, records, organization):
    response = pages.post("/work-orders/new/", _work_order(records, "0001-01-01"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["due_date"]
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.count() == 1


def test_the_ncr_page_shows_an_error_on_a_description_of_a_megabyte(pages, records, organization):
    response = pages.post("/ncrs/new/", {"work_order": records["work_order"].pk, "severity": "minor",
                                         "description": "x" * 1_000_000})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["description"]
    with schema_context(organization.schema_name):
        assert not NCR.objects.exists()


def test_the_plant_page_shows_an_error_on_an_address_of_100_kb(pages, records, organization):
    plant = records["plant"]
    response = pages.post(f"/plants/{plant.pk}/edit/", {"name": "Detroit", "code": "DET-1", "time_zone": "UTC",
                                                        "address": "a" * 100_000})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["address"]
    with schema_context(organization.schema_name):
        assert Plant.objects.get().address == ""


def test_the_services_refuse_what_gets_past_a_form(records, in_tenant):
    with pytest.raises(ValidationError) as error:
        services.work_order_create(material=records["material"], quantity=1, plant=records["plant"],
                                   due_date=date(1, 1, 1))
    assert list(error.value.message_dict) == ["due_date"]
    with pytest.raises(ValidationError) as error:
        services.ncr_create(organization=in_tenant, description="x" * 10_001, work_order=records["work_order"])
    assert "description" in error.value.message_dict


def test_the_database_refuses_an_out_of_bound_row_written_behind_the_models_back(records, in_tenant):
    work_order = records["work_order"]
    with pytest.raises(IntegrityError, match="work_order_due_date_in_range"), transaction.atomic():
        WorkOrder.objects.filter(pk=work_order.pk).update(due_date=date(1, 1, 1))
    ncr = services.ncr_create(organization=in_tenant, description="Dent", work_order=work_order)
    with pytest.raises(IntegrityError, match="ncr_description_bounded"), transaction.atomic():
        NCR.objects.filter(pk=ncr.pk).update(description="x" * 10_001)


def test_a_login_tokens_reason_is_bounded_like_the_console_api_that_sets_it(organization):
    token = LoginToken(organization=organization, user_id=1, expires_at=organization.created_at, reason="r" * 2001)
    with pytest.raises(ValidationError) as error:
        token.full_clean()
    assert list(error.value.message_dict) == ["reason"]
