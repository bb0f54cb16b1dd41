"""Requests are routed by host: the public site, an organisation, or a friendly refusal."""

from __future__ import annotations

from django.db import connection
from django.test import Client

from tests.conftest import client_for


def test_the_public_host_serves_the_public_url_conf(db, public_client):
    response = public_client.get("/")
    assert response.status_code == 200
    assert response.wsgi_request.urlconf == "unison.urls_public"
    assert response.wsgi_request.tenant is None
    assert response.resolver_match.view_name == "marketing:landing"


def test_the_public_host_with_www_and_a_port_is_still_public(db):
    response = Client(HTTP_HOST="www.localhost:8000").get("/")
    assert response.status_code == 200
    assert response.wsgi_request.urlconf == "unison.urls_public"


def test_a_tenant_host_serves_the_tenant_url_conf_in_its_schema(organization):
    response = client_for(organization).get("/accounts/login/", HTTP_HOST=f"{organization.host}:8000")
    assert response.status_code == 200
    assert response.resolver_match.view_name == "accounts:login"
    assert response.wsgi_request.tenant.schema_name == organization.schema_name


def test_the_host_name_is_matched_without_regard_to_case(organization):
    response = client_for(organization).get("/accounts/login/", HTTP_HOST=organization.host.upper())
    assert response.status_code == 200
    assert response.wsgi_request.tenant == organization


def test_the_operator_console_is_not_reachable_on_a_tenant_host(organization):
    response = client_for(organization).get("/admin/login/")
    assert response.status_code == 404


def test_tenant_pages_are_not_reachable_on_the_public_host(db, public_client):
    assert public_client.get("/accounts/login/").status_code == 404


def test_an_unknown_subdomain_gets_a_friendly_404_not_the_public_site(db):
    response = Client(HTTP_HOST="nobody-here.localhost:8000").get("/pricing/")
    assert response.status_code == 404
    assert b"couldn't find that workspace" in response.content
    assert b"nobody-here.localhost" in response.content
    assert connection.schema_name == "public"


def test_a_nested_subdomain_is_unknown_too(organization):
    response = Client(HTTP_HOST=f"x.{organization.host}").get("/")
    assert response.status_code == 404
    assert b"couldn't find that workspace" in response.content


def test_a_foreign_host_is_refused(db):
    assert Client(HTTP_HOST="evil.example.com").get("/").status_code == 400


def test_a_deactivated_organization_gets_a_403_page(organization, owner):
    organization.is_active = False
    organization.save(update_fields=["is_active"])
    response = client_for(organization, owner).get("/")
    assert response.status_code == 403
    assert b"This workspace has been deactivated" in response.content
    assert organization.name.encode() in response.content
