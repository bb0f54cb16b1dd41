"""A real ``celery worker`` re-checks claims waiting for their TXT record (beat's ``domains.recheck``)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from domains.models import CustomDomain
from domains.services import custom_domain_add
from domains.tasks import recheck_task
from tenants.models import Domain
from tests.lifecycle.conftest import eventually
from tests.shopfloor.conftest import plan_set

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_the_worker_verifies_a_claim_once_its_record_shows_and_skips_other_plans(
    make_organization,
    broker,
    start_worker,
    monkeypatch,
    tmp_path,
):
    enterprise, professional = make_organization(name="Recheck Works"), make_organization(name="Pro Plant")
    plan_set(enterprise, "enterprise")
    plan_set(professional, "enterprise")
    mine = custom_domain_add(organization=enterprise, host="mes.recheck.example", actor_email="o@example.com")
    other = custom_domain_add(organization=professional, host="mes.pro.example", actor_email="o@example.com")
    plan_set(professional, "professional")  # downgraded since: its claim waits
    records = tmp_path / "dns.json"
    records.write_text(json.dumps({mine.record_name: [mine.token], other.record_name: [other.token]}))
    # The worker is another process: it reads the records from the file (tests.domains.resolver).
    monkeypatch.setenv("DOMAINS_TXT_RESOLVER", "tests.domains.resolver.txt_records")
    monkeypatch.setenv("TEST_DNS_RECORDS_FILE", str(records))
    broker(settings.CELERY_BROKER_URL)
    start_worker(settings.CELERY_BROKER_URL)
    recheck_task.delay()
    recheck_task.delay()  # twice, as two beats might: the same single effect
    eventually(lambda: CustomDomain.objects.get(pk=mine.pk).status == "verified", what="the claim verified")
    assert list(Domain.objects.filter(domain="mes.recheck.example").values_list("tenant_id", flat=True)) == [
        enterprise.pk
    ]
    other.refresh_from_db()
    assert other.status == "pending" and not Domain.objects.filter(domain="mes.pro.example").exists()
