"""An Enterprise workspace, the TXT records its owner "creates" (tests.domains.resolver), a verified host."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.domains import resolver
from tests.lifecycle.conftest import broker, mail_dir, queue, start_worker  # noqa: F401 - the worker test's
from tests.shopfloor.conftest import plan_set


@pytest.fixture(autouse=True)
def dns(settings):
    """Look TXT records up in ``resolver.RECORDS``; start with none and an empty host cache."""
    settings.DOMAINS_TXT_RESOLVER = "tests.domains.resolver.txt_records"
    resolver.RECORDS.clear()
    resolver.NOT_ANSWERING.clear()
    cache.clear()
    yield resolver
    resolver.RECORDS.clear()
    resolver.NOT_ANSWERING.clear()
    cache.clear()


@pytest.fixture
def enterprise(organization):
    plan_set(organization, "enterprise")
    return organization


def verified_domain(organization, host: str, actor_email: str = "owner@example.com"):
    """Claim ``host`` for the organisation, create its TXT record and verify it; return the claim."""
    from domains.services import custom_domain_add, custom_domain_verify

    row = custom_domain_add(organization=organization, host=host, actor_email=actor_email)
    resolver.RECORDS[row.record_name] = ["v=something-else", row.token]
    return custom_domain_verify(organization=organization, domain_id=row.pk, actor_email=actor_email)
