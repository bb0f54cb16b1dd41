"""An Enterprise workspace with a read key and a write key, and a way to call with a key."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from apikeys.services import api_key_create
from platform_admin.models import AuditEntry
from tests.shopfloor.conftest import plan_set


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts and the refusal audit's once-a-minute marks live in the cache."""
    cache.clear()
    yield
    cache.clear()


def key_make(organization, *, name: str = "ERP sync", scope: str = "read", expires_in_days: int | None = None):
    """Return (key row, the key itself) made in the organisation's schema."""
    with schema_context(organization.schema_name):
        return api_key_create(organization=organization, name=name, scope=scope, expires_in_days=expires_in_days,
                              actor_email="owner@example.com")


def key_client(organization, raw: str) -> Client:
    """Return a client on the organisation's host that sends ``raw`` as its API key."""
    return Client(HTTP_HOST=organization.host, HTTP_AUTHORIZATION=f"Api-Key {raw}")


def audit(organization, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(organization_id=organization.pk, action=action).order_by("id"))


@pytest.fixture
def enterprise(organization):
    plan_set(organization, "enterprise")
    return organization


@pytest.fixture
def read_key(enterprise):
    return key_make(enterprise, name="Dashboard", scope="read")


@pytest.fixture
def write_key(enterprise):
    return key_make(enterprise, name="ERP sync", scope="write")
