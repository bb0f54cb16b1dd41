"""Fuzz the tenant API from its own OpenAPI schema (schemathesis) in an Enterprise workspace.

Each operation of the schema a tenant host serves at /api/schema/ gets up to 25 generated requests, valid
and invalid, sent in-process to Django on the workspace's host with the owner's JWT. Every answer must be
no server error, conform to the schema (body, content type, headers), refuse what the schema calls
invalid and, but for the operations in ``BUSINESS_RULES``, accept what it calls valid.

The same cases every run (derandomized, so a failure is the code's, not the draw's); set FUZZ_EXPLORE=1
to draw new ones.

Left out: ``/api/v1/billing/*`` (each call goes to Stripe: billing's own tests run it against the local
Stripe), and the check that every answer's status is documented (drf-spectacular documents the success
answer only, so every 400/404 would be "undocumented").
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, status_code_conformance

from shopfloor import services
from tests.conftest import PASSWORD, billed, client_for
from tests.security.figures import record
from unison.wsgi import application

# Operations that may refuse a schema-valid request with a 400, for a rule a schema cannot state.
BUSINESS_RULES = {
    "POST /api/v1/plants": "the code is another plant's",
    "PUT /api/v1/plants/{id}": "the code is another plant's",
    "PATCH /api/v1/plants/{id}": "the code is another plant's",
    "POST /api/v1/materials": "the SKU is another material's",
    "PUT /api/v1/materials/{id}": "the SKU is another material's",
    "PATCH /api/v1/materials/{id}": "the SKU is another material's",
    "POST /api/v1/work-orders": "the material, plant or lane is not in this workspace, or the lane is another plant's",
    "PUT /api/v1/work-orders/{id}": "as for POST, or the work order is closed",
    "PATCH /api/v1/work-orders/{id}": "as for POST, or the work order is closed",
    "POST /api/v1/ncrs": "neither a work order nor a material, or one not in this workspace",
    "PUT /api/v1/ncrs/{id}": "as for POST, or the NCR is closed",
    "PATCH /api/v1/ncrs/{id}": "as for POST, or the NCR is closed",
    "POST /api/v1/export": "one export at a time: a second while the first is queued is a 409",
    "PATCH /api/v1/branding": "an accent colour white text fails WCAG AA on is refused (a shade that passes is named)",
    "PUT /api/v1/branding/logo": "the file must be a PNG or JPEG image (the schema's binary allows any bytes)",
    "POST /api/v1/deletion": "confirm_name must be the workspace's own name (400 naming it), which no schema can state",
    "POST /api/v1/trial-extension": "only a trialing workspace asks, once, with a reason (this one is Enterprise)",
    # Not shop-floor endpoints; their owners may narrow these.
    "POST /api/v1/auth/token": "a blank or NUL e-mail or password (the schema allows any string)",
    "POST /api/v1/auth/token/refresh": "a blank or NUL refresh token (the schema allows any string)",
    "POST /api/v1/subscription/upgrade": "the plan rules and Stripe (the workspace's Stripe subscription is made up)",
    "POST /api/v1/subscription/downgrade": "the plan rules and Stripe (as for upgrade)",
    "POST /api/v1/subscription/cancel": "the plan rules and Stripe (as for upgrade)",
    "POST /api/v1/subscription/resume": "the plan rules and Stripe (as for upgrade)",
}
MAX_EXAMPLES = 25

schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(
        SchemaGenerator(urlconf="unison.urls_tenant").get_schema(request=None, public=True)
    ))
).exclude(path_regex=r"^/api/v1/billing/")
schema.app = application  # requests go to Django in this process, inside the test's transaction
requests_sent: Counter[str] = Counter()
requests_failed: Counter[str] = Counter()


def _nul_in(value) -> bool:
    """Return whether a NUL is anywhere in the query: a parameter's name, its value, or inside either."""
    if isinstance(value, dict):
        return any("\x00" in str(key) or _nul_in(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_nul_in(item) for item in value)
    return isinstance(value, str) and "\x00" in value


@schema.hook
def filter_query(context, query) -> bool:
    """Leave out query strings with a NUL in a parameter's name or value: unison.nul_bytes refuses them
    everywhere (tests/security/test_nul_bytes.py), which an OpenAPI 3.0 schema cannot say of the free-form
    names and values the limit check's object parameter allows."""
    return not _nul_in(query)


def test_the_fuzzed_schema_is_the_one_a_tenant_host_serves(organization):
    served = client_for(organization).get("/api/schema/", {"format": "json"})
    assert served.status_code == 200
    assert served.json() == schema.raw_schema


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    if requests_sent:
        print(f"\nfuzzed {len(requests_sent)} operations with {sum(requests_sent.values())} requests")
        record("fuzzed API requests (schemathesis)", attempts=sum(requests_sent.values()),
               failures=sum(requests_failed.values()))


@pytest.fixture
def enterprise(organization, owner, stripe_server, settings):
    """Return an Enterprise workspace holding one record of each kind (ids 1), and its owner's JWT."""
    settings.DOMAINS_TXT_RESOLVER = "tests.domains.resolver.txt_records"  # verifying a domain asks no real DNS
    billed(organization, tier="enterprise")
    with schema_context(organization.schema_name):
        plant = services.plant_create(organization=organization, name="Detroit", code="DET-1")
        material = services.material_create(sku="STL-1", name="Steel", unit="kg", quantity_on_hand=Decimal(5))
        work_order = services.work_order_create(material=material, quantity=Decimal(2), plant=plant,
                                                due_date=date(2030, 1, 15))
        services.ncr_create(organization=organization, description="Dent", work_order=work_order)
    token = client_for(organization).post(
        "/api/v1/auth/token", {"email": owner.email, "password": PASSWORD}, content_type="application/json"
    ).json()["access"]
    # As Django's test client does: a request must not close the test's connection (and its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield organization, token
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# One test per operation, parametrized by pytest itself (schemathesis' own ``schema.parametrize()`` collapses
# to a single item under pytest-xdist, which then fuzzed a few dozen requests in all).
OPERATIONS = sorted((result.ok() for result in schema.get_all_operations()), key=lambda operation: operation.label)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_the_tenant_api_answers_every_generated_request_within_its_schema(operation, enterprise):
    organization, token = enterprise
    excluded = [status_code_conformance]
    if operation.label in BUSINESS_RULES:
        excluded.append(positive_data_acceptance)

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=not os.environ.get("FUZZ_EXPLORE"), database=None)
    def call(case):
        requests_sent[operation.label] += 1
        try:
            case.call_and_validate(base_url=f"http://{organization.host}",
                                   headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)
        except Exception:
            requests_failed[operation.label] += 1
            raise

    call()


def test_every_exemption_names_an_operation_of_the_schema():
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert set(BUSINESS_RULES) <= labels
