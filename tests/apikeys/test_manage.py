"""Managing keys: REST (owners and admins, session or JWT) and Settings → API keys."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from apikeys.keys import KEY_PATTERN
from apikeys.models import APIKey
from tests.apikeys.conftest import audit, key_client
from tests.conftest import PASSWORD, client_for, tenant_user
from tests.shopfloor.conftest import plan_set


def test_an_owner_makes_a_key_shown_once_and_stored_as_a_hash(enterprise, owner):
    client = client_for(enterprise, owner)
    made = client.post("/api/v1/api-keys", {"name": "ERP sync", "scope": "write", "expires_in_days": 90},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert KEY_PATTERN.fullmatch(body["key"]) and body["state"] == "active" and body["scope"] == "write"
    with schema_context(enterprise.schema_name):
        row = APIKey.objects.get(pk=body["id"])
        assert body["key"] not in str(list(APIKey.objects.values()))  # only its hash is kept
        assert (row.expires_at - row.created_at).days == 90 and row.created_by == owner.email
    listed = client.get("/api/v1/api-keys").json()
    assert [k["name"] for k in listed] == ["ERP sync"] and "key" not in listed[0]
    assert listed[0]["display"] == f"uk_{row.prefix}_…"
    [entry] = audit(enterprise, "api_key_create")
    assert entry.actor_email == owner.email and entry.details["scope"] == "write"
    assert key_client(enterprise, body["key"]).get("/api/v1/plants").status_code == 200


def test_an_admin_with_a_jwt_makes_and_revokes_a_key(enterprise):
    admin = tenant_user(enterprise, role="admin")
    access = Client(HTTP_HOST=enterprise.host).post(
        "/api/v1/auth/token", {"email": admin.email, "password": PASSWORD}, content_type="application/json").json()
    client = Client(HTTP_HOST=enterprise.host, HTTP_AUTHORIZATION=f"Bearer {access['access']}")
    made = client.post("/api/v1/api-keys", {"name": "Script", "scope": "read"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["expires_at"] is None
    revoked = client.post(f"/api/v1/api-keys/{made.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert revoked.json()["revoked_by"] == admin.email
    assert client.post(f"/api/v1/api-keys/{made.json()['id']}/revoke").status_code == 200  # twice is fine
    assert len(audit(enterprise, "api_key_revoke")) == 1


@pytest.mark.parametrize("body, field", [
    ({"name": "", "scope": "read"}, "name"),
    ({"name": "x", "scope": "admin"}, "scope"),
    ({"name": "x", "scope": "read", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "x", "scope": "read", "expires_in_days": 731}, "expires_in_days"),
    ({"name": "x" * 81, "scope": "read"}, "name"),
    ({"name": "x", "scope": "read", "owner": "me"}, "owner"),
])
def test_bad_input_is_a_400_naming_the_field_and_makes_nothing(enterprise, owner, body, field):
    response = client_for(enterprise, owner).post("/api/v1/api-keys", body, content_type="application/json")
    assert response.status_code == 400 and field in response.json(), response.content
    with schema_context(enterprise.schema_name):
        assert not APIKey.objects.exists()


def test_a_taken_name_is_a_409(enterprise, owner, read_key):
    response = client_for(enterprise, owner).post("/api/v1/api-keys", {"name": "dashboard", "scope": "read"},
                                                  content_type="application/json")
    assert response.status_code == 409 and response.json()["name"]


def test_a_member_can_neither_list_nor_make_nor_revoke_keys(enterprise, read_key):
    client = client_for(enterprise, tenant_user(enterprise, role="member"))
    assert client.get("/api/v1/api-keys").status_code == 403
    assert client.post("/api/v1/api-keys", {"name": "x", "scope": "read"},
                       content_type="application/json").json()["code"] == "owner_or_admin_only"
    assert client.post(f"/api/v1/api-keys/{read_key[0].pk}/revoke").status_code == 403
    assert client.get("/settings/api-keys/").status_code == 403


def test_below_enterprise_no_key_is_made_but_keys_can_still_be_listed_and_revoked(enterprise, owner, read_key):
    plan_set(enterprise, "professional")
    client = client_for(enterprise, owner)
    refused = client.post("/api/v1/api-keys", {"name": "x", "scope": "read"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["feature"] == "api_access"
    assert len(client.get("/api/v1/api-keys").json()) == 1
    assert client.post(f"/api/v1/api-keys/{read_key[0].pk}/revoke").status_code == 200


def test_revoking_a_key_of_no_such_id_is_a_404(enterprise, owner):
    response = client_for(enterprise, owner).post("/api/v1/api-keys/999999/revoke")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_page_makes_a_key_shows_it_once_and_revokes_it(enterprise, owner):
    client = client_for(enterprise, owner)
    assert "No API keys yet" in client.get("/settings/api-keys/").content.decode()
    made = client.post("/settings/api-keys/", {"name": "ERP sync", "scope": "write", "expires_in_days": "30"})
    page = made.content.decode()
    assert made.status_code == 200
    raw = re.search(r'value="(uk_[^"]+)"', page).group(1)
    assert KEY_PATTERN.fullmatch(raw) and "shown this once" in page
    again = client.get("/settings/api-keys/").content.decode()
    assert raw not in again and "ERP sync" in again
    with schema_context(enterprise.schema_name):
        key = APIKey.objects.get()
    revoked = client.post(f"/settings/api-keys/{key.pk}/revoke/", follow=True)
    assert "is revoked" in revoked.content.decode() and "Revoked" in revoked.content.decode()
    assert key_client(enterprise, raw).get("/api/v1/plants").json()["code"] == "api_key_revoked"


def test_the_page_shows_a_bad_field_next_to_it(enterprise, owner):
    response = client_for(enterprise, owner).post("/settings/api-keys/", {"name": "", "scope": "read"})
    assert response.status_code == 400
    assert 'id="field-name"' in response.content.decode() and "field-error" in response.content.decode()


def test_the_page_below_enterprise_names_the_plan_and_has_no_form(enterprise, owner):
    plan_set(enterprise, "starter")
    client = client_for(enterprise, owner)
    page = client.get("/settings/api-keys/").content.decode()
    assert "comes with the Enterprise plan" in page and "Make key" not in page
    client.post("/settings/api-keys/", {"name": "x", "scope": "read"})
    with schema_context(enterprise.schema_name):
        assert not APIKey.objects.exists()


def test_the_openapi_schema_describes_the_key_scheme_on_the_data_api_only(enterprise):
    schema = Client(HTTP_HOST=enterprise.host).get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert {"ApiKeyAuth": []} in schema["paths"]["/api/v1/plants"]["get"]["security"]
    assert {"ApiKeyAuth": []} not in schema["paths"]["/api/v1/api-keys"]["post"]["security"]
    assert {"ApiKeyAuth": []} not in schema["paths"]["/api/v1/auth/me"]["get"]["security"]


def test_a_workspace_export_carries_the_keys_but_not_their_hashes():
    from exports.tables import excluded, workspace_tables

    table = next(t for t in workspace_tables() if t.name == "apikeys_apikey")
    assert "hashed_key" not in table.columns and {"name", "prefix", "scope", "revoked_at"} <= set(table.columns)
    assert "apikeys_apikey.hashed_key" in excluded()["columns"]
