"""The host → organisation cache: no Domain query per request, and never a stale or foreign schema.

Every test here sends real requests through the middleware to real PostgreSQL and the shared
Redis cache; a change made between two requests must show on the second.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants.domain_cache import organization_for_host
from tenants.models import Domain
from tests.conftest import client_for


def domain_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "tenants_domain" in q["sql"]]


def test_a_second_request_on_a_host_reads_no_domain(organization):
    client = client_for(organization)
    client.get("/accounts/login/")

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert response.wsgi_request.tenant == organization
    assert domain_queries(captured) == []


def test_two_tenants_each_get_their_own_schema_from_the_cache(organization, other_organization, owner, outsider):
    ours, theirs = client_for(organization, owner), client_for(other_organization, outsider)
    for _ in range(3):  # the first round fills the cache, the others read it
        for client, expected in ((ours, organization), (theirs, other_organization)):
            response = client.get("/accounts/login/")
            assert response.wsgi_request.tenant.pk == expected.pk
            assert response.wsgi_request.tenant.schema_name == expected.schema_name
    assert organization_for_host(organization.host).schema_name == organization.schema_name
    assert organization_for_host(other_organization.host).schema_name == other_organization.schema_name


def test_a_deleted_domain_stops_serving_on_the_next_request(organization):
    client = client_for(organization)
    assert client.get("/accounts/login/").status_code == 200

    Domain.objects.filter(domain=organization.host).delete()

    response = client.get("/accounts/login/")
    assert response.status_code == 404
    assert b"couldn't find that workspace" in response.content


def test_a_domain_moved_to_another_host_is_served_there_and_no_longer_on_the_old_one(organization):
    old_client = client_for(organization)
    assert old_client.get("/accounts/login/").status_code == 200
    new_host = f"renamed-{organization.host}"
    new_client = Client(HTTP_HOST=new_host)
    assert new_client.get("/accounts/login/").status_code == 404  # remembered as unknown

    domain = Domain.objects.get(domain=organization.host)
    domain.domain = new_host
    domain.save()

    assert old_client.get("/accounts/login/").status_code == 404
    response = new_client.get("/accounts/login/")
    assert response.status_code == 200 and response.wsgi_request.tenant == organization


def test_a_domain_handed_to_another_tenant_serves_that_tenants_schema_next(organization, other_organization):
    shared_host = f"shop.{organization.host}"
    domain = Domain.objects.create(domain=shared_host, tenant=organization, is_primary=False)
    client = Client(HTTP_HOST=shared_host)
    assert client.get("/accounts/login/").wsgi_request.tenant.schema_name == organization.schema_name

    domain.tenant = other_organization
    domain.save()

    response = client.get("/accounts/login/")
    assert response.wsgi_request.tenant.schema_name == other_organization.schema_name
    assert response.wsgi_request.tenant.pk == other_organization.pk


def test_a_change_to_the_organization_shows_on_the_next_request(organization, owner):
    client = client_for(organization, owner)
    assert client.get("/").status_code in (200, 302)

    organization.is_active = False
    organization.save(update_fields=["is_active"])

    response = client.get("/")
    assert response.status_code == 403
    assert b"This workspace has been deactivated" in response.content


def test_a_new_domain_for_a_host_remembered_as_unknown_is_served_at_once(organization):
    host = f"new.{organization.host}"
    client = Client(HTTP_HOST=host)
    assert client.get("/accounts/login/").status_code == 404

    Domain.objects.create(domain=host, tenant=organization, is_primary=False)

    assert client.get("/accounts/login/").wsgi_request.tenant == organization


def test_a_change_made_in_a_tenant_schema_still_forgets_the_host(organization):
    client = client_for(organization)
    assert client.get("/accounts/login/").status_code == 200

    with schema_context(organization.schema_name):  # e.g. a service run inside the tenant
        Domain.objects.filter(domain=organization.host).delete()

    assert client.get("/accounts/login/").status_code == 404


def test_the_public_host_never_looks_up_a_domain(db, public_client):
    with CaptureQueriesContext(connection) as captured:
        assert public_client.get("/robots.txt").status_code == 200
    assert domain_queries(captured) == []


def test_a_profile_saved_with_a_queryset_update_shows_on_the_next_request(organization, owner):
    from shopfloor.services import organization_update_profile

    client = client_for(organization, owner)
    assert client.get("/accounts/login/").wsgi_request.tenant.industry != "plastics"

    with schema_context(organization.schema_name):
        organization_update_profile(organization=organization, industry="plastics", company_size="51-200",
                                    primary_use_case="quality", costing_method="fifo")

    assert client.get("/accounts/login/").wsgi_request.tenant.industry == "plastics"


def test_requests_alternating_between_two_tenants_on_one_connection_each_read_their_own_rows(
    organization, other_organization, owner, outsider
):
    from tests.security.factories import workspace_fill

    workspace_fill(organization, "Acme")
    workspace_fill(other_organization, "Umbrella")
    ours, theirs = client_for(organization, owner), client_for(other_organization, outsider)
    ours.get("/plants/"), theirs.get("/plants/")  # each host in the cache
    for client, mine, not_mine in [(ours, b"Acme plant", b"Umbrella plant")] * 2 + [
            (theirs, b"Umbrella plant", b"Acme plant")] * 2 + [(ours, b"Acme plant", b"Umbrella plant"),
                                                             (theirs, b"Umbrella plant", b"Acme plant")]:
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/plants/")
        assert page.status_code == 200
        assert mine in page.content and not_mine not in page.content
        sets = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET search_path")]
        assert len(sets) <= 1


@pytest.mark.skipif(settings.DATABASE_POOLING == "transaction",
                    reason="the pooled backend sets no session search path: each statement carries its own")
def test_the_search_path_is_set_again_only_when_the_schema_changes(organization, other_organization, owner,
                                                                    outsider):
    ours, theirs = client_for(organization, owner), client_for(other_organization, outsider)

    def search_paths_set(client) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/plants/").status_code == 200
        return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SET search_path")]

    search_paths_set(ours), search_paths_set(theirs)  # each host in the cache
    assert search_paths_set(ours) == [f'SET search_path = "{organization.schema_name}","public"']
    assert search_paths_set(ours) == [], "the same schema as the last request: nothing to set"
    assert search_paths_set(theirs) == [f'SET search_path = "{other_organization.schema_name}","public"']
    assert search_paths_set(ours) == [f'SET search_path = "{organization.schema_name}","public"']
