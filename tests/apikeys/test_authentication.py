"""Calls made with an API key: what a key may do, and every way one is refused (a JSON body naming it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from apikeys.models import APIKey
from shopfloor.models import NCR, Plant
from tests.apikeys.conftest import audit, key_client, key_make
from tests.conftest import billed
from tests.shopfloor.conftest import plan_set

PLANT = {"name": "Leeds", "code": "LDS-1", "time_zone": "Europe/London"}


def _refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["detail"], body
    return body


def test_a_read_key_reads_the_data_api_and_notes_its_use_once_a_minute(enterprise, read_key):
    key, raw = read_key
    client = key_client(enterprise, raw)
    assert client.get("/api/v1/plants").status_code == 200
    with schema_context(enterprise.schema_name):
        first = APIKey.objects.get(pk=key.pk).last_used_at
        assert first is not None
        assert client.get("/api/v1/materials").status_code == 200
        assert APIKey.objects.get(pk=key.pk).last_used_at == first  # within the minute: no write
        APIKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=2))
        assert client.get("/api/v1/work-orders").status_code == 200
        assert APIKey.objects.get(pk=key.pk).last_used_at > first
    assert audit(enterprise, "api_key_write") == [] and audit(enterprise, "api_key_refused") == []


def test_a_read_key_on_a_write_call_is_refused_and_audited(enterprise, read_key):
    body = _refused(key_client(enterprise, read_key[1]).post("/api/v1/plants", PLANT, content_type="application/json"),
                    403, "api_key_read_only")
    assert "write key" in body["detail"]
    with schema_context(enterprise.schema_name):
        assert not Plant.objects.exists()
    [entry] = audit(enterprise, "api_key_refused")
    assert entry.actor_email == "API key Dashboard" and entry.details["reason"] == "api_key_read_only"
    assert entry.details["method"] == "POST" and entry.details["path"] == "/api/v1/plants"


def test_a_write_key_writes_as_the_workspace_and_each_write_is_audited_as_the_key(enterprise, write_key):
    client = key_client(enterprise, write_key[1])
    created = client.post("/api/v1/plants", PLANT, content_type="application/json")
    assert created.status_code == 201, created.content
    material = client.post("/api/v1/materials", {"sku": "STL-1", "name": "Steel", "unit": "kg"},
                           content_type="application/json").json()
    ncr = client.post("/api/v1/ncrs", {"description": "Burr on the edge", "material": material["id"]},
                      content_type="application/json")
    assert ncr.status_code == 201, ncr.content
    bad = client.post("/api/v1/plants", {"name": ""}, content_type="application/json")
    assert bad.status_code == 400
    with schema_context(enterprise.schema_name):
        assert NCR.objects.get().reported_by is None  # no person reported it: the audit entry names the key
    entries = audit(enterprise, "api_key_write")
    assert [(e.actor_email, e.details["path"], e.details["status"]) for e in entries] == [
        ("API key ERP sync", "/api/v1/plants", 201), ("API key ERP sync", "/api/v1/materials", 201),
        ("API key ERP sync", "/api/v1/ncrs", 201),
        ("API key ERP sync", "/api/v1/plants", 400)]


@pytest.mark.parametrize("header, code", [
    ("Api-Key", "api_key_malformed"),
    ("Api-Key not-a-key", "api_key_malformed"),
    ("Api-Key uk_0000000_short", "api_key_malformed"),
    ("Api-Key uk_deadbeef_" + "A" * 43, "api_key_unknown"),
    ("Api-Key a b", "api_key_malformed"),
])
def test_a_malformed_or_unknown_key_is_a_401_naming_it_and_audited(enterprise, read_key, header, code):
    from django.test import Client

    response = Client(HTTP_HOST=enterprise.host, HTTP_AUTHORIZATION=header).get("/api/v1/plants")
    _refused(response, 401, code)
    [entry] = audit(enterprise, "api_key_refused")
    assert entry.details["reason"] == code and entry.actor_email == "API key (unknown)"


def test_a_key_with_a_wrong_secret_is_unknown_though_its_prefix_is_real(enterprise, read_key):
    key, raw = read_key
    forged = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    _refused(key_client(enterprise, forged).get("/api/v1/plants"), 401, "api_key_unknown")


def test_a_revoked_key_is_refused_at_once(enterprise, owner, read_key):
    from tests.conftest import client_for

    key, raw = read_key
    client = key_client(enterprise, raw)
    assert client.get("/api/v1/plants").status_code == 200
    assert client_for(enterprise, owner).post(f"/api/v1/api-keys/{key.pk}/revoke").status_code == 200
    _refused(client.get("/api/v1/plants"), 401, "api_key_revoked")
    assert [e.details["reason"] for e in audit(enterprise, "api_key_refused")] == ["api_key_revoked"]


def test_an_expired_key_is_refused(enterprise):
    key, raw = key_make(enterprise, expires_in_days=1)
    with schema_context(enterprise.schema_name):
        APIKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _refused(key_client(enterprise, raw).get("/api/v1/plants"), 401, "api_key_expired")


def test_a_workspace_that_downgrades_loses_its_keys_at_once_with_a_403_naming_the_plan(
        enterprise, read_key, django_capture_on_commit_callbacks):
    client = key_client(enterprise, read_key[1])
    assert client.get("/api/v1/plants").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the mirror forgets the entitlements on commit
        billed(enterprise, tier="professional")  # Stripe says: Professional now
    body = _refused(client.get("/api/v1/plants"), 403, "feature_not_in_plan")
    assert body["plan"] == "professional" and "Professional plan does not include API access" in body["detail"]
    assert "Enterprise" in body["detail"] and body["upgrade_url"] == "/billing/"
    assert [e.details["reason"] for e in audit(enterprise, "api_key_refused")] == ["feature_not_in_plan"]


@pytest.mark.parametrize("url", ["/api/v1/auth/me", "/api/v1/api-keys", "/api/v1/subscription", "/api/v1/export",
                                 "/api/v1/billing/invoices"])
def test_a_key_cannot_call_anything_but_the_data_api(enterprise, write_key, url):
    body = _refused(key_client(enterprise, write_key[1]).get(url), 403, "api_key_not_allowed")
    assert "data API only" in body["detail"]


def test_a_key_cannot_make_or_revoke_keys(enterprise, write_key, read_key):
    client = key_client(enterprise, write_key[1])
    _refused(client.post("/api/v1/api-keys", {"name": "x", "scope": "write"}, content_type="application/json"),
             403, "api_key_not_allowed")
    _refused(client.post(f"/api/v1/api-keys/{read_key[0].pk}/revoke"), 403, "api_key_not_allowed")
    with schema_context(enterprise.schema_name):
        assert APIKey.objects.count() == 2 and not APIKey.objects.filter(revoked_at__isnull=False).exists()


def test_a_key_of_workspace_a_is_refused_on_workspace_bs_host(enterprise, other_organization):
    plan_set(other_organization, "enterprise")
    key, raw = key_make(enterprise)
    _refused(key_client(other_organization, raw).get("/api/v1/plants"), 401, "api_key_unknown")
    assert audit(enterprise, "api_key_refused") == []
    [entry] = audit(other_organization, "api_key_refused")
    assert entry.details["prefix"] == key.prefix and entry.details["schema"] == other_organization.schema_name


def test_a_row_copied_into_another_schema_does_not_open_it(enterprise, other_organization):
    """The stored hash is keyed with its schema: the same prefix and hash elsewhere verify nothing."""
    plan_set(other_organization, "enterprise")
    key, raw = key_make(enterprise)
    with schema_context(other_organization.schema_name):
        APIKey.objects.create(name=key.name, prefix=key.prefix, hashed_key=key.hashed_key, scope=key.scope,
                              created_by="copy")
    _refused(key_client(other_organization, raw).get("/api/v1/plants"), 401, "api_key_unknown")


def test_a_key_on_the_public_host_is_refused_without_a_500(enterprise, read_key, public_client):
    response = public_client.get("/api/v1/admin/organizations", HTTP_AUTHORIZATION=f"Api-Key {read_key[1]}")
    _refused(response, 401, "api_key_wrong_host")


def test_refusals_of_the_same_key_are_audited_once_a_minute(enterprise, read_key):
    client = key_client(enterprise, read_key[1])
    for _ in range(5):
        _refused(client.post("/api/v1/plants", PLANT, content_type="application/json"), 403, "api_key_read_only")
    assert len(audit(enterprise, "api_key_refused")) == 1


def test_each_key_has_its_own_rate_limit(enterprise, read_key, write_key):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "api_key": "3/minute"}
    first, second = key_client(enterprise, read_key[1]), key_client(enterprise, write_key[1])
    from django.test import override_settings

    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        assert [first.get("/api/v1/plants").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert second.get("/api/v1/plants").status_code == 200
        assert first.get("/api/v1/plants").has_header("Retry-After")
