from __future__ import annotations

from django_tenants.utils import schema_context

from tests.conftest import PASSWORD, client_for


def test_a_new_organization_has_its_owner_and_trial(organization, owner):
    assert organization.subscription.status == "trialing"
    with schema_context(organization.schema_name):
        assert owner.check_password(PASSWORD)


def test_the_owner_reaches_the_dashboard_on_the_tenant_host(organization, owner):
    response = client_for(organization, owner).get("/", follow=True)
    assert response.status_code == 200
    assert b"Acme Works" in response.content


def test_an_unknown_subdomain_gets_a_friendly_404(db, client):
    response = client.get("/", HTTP_HOST="nobody-here.localhost")
    assert response.status_code == 404
    assert b"couldn't find that workspace" in response.content
