"""A real ``celery worker`` runs the daily ``deletion.purge_due`` job: the due workspace is gone, the other kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from deletion.tasks import deletions_purge_due_task
from tenants.models import Domain, Organization
from tests.conftest import client_for, tenant_user
from tests.deletion.conftest import ask
from tests.lifecycle.conftest import eventually

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_the_worker_purges_the_workspaces_due(broker, start_worker, make_organization):
    broker(settings.CELERY_BROKER_URL)
    due, patient = make_organization(name="Due Works"), make_organization(name="Patient Works")
    for organization in (due, patient):
        assert (
            ask(client_for(organization, tenant_user(organization, role="owner")), organization.name).status_code == 202
        )
    connection.set_schema_to_public()
    Organization.objects.filter(pk=due.pk).update(deletion_due_at=timezone.now() - timedelta(minutes=1))
    start_worker(settings.CELERY_BROKER_URL)

    deletions_purge_due_task.apply_async()

    purged = eventually(
        lambda: Organization.objects.filter(pk=due.pk, deleted_at__isnull=False).first(),
        what="the worker to purge the due workspace",
    )
    assert purged.slug == f"deleted-{due.pk}" and not Domain.objects.filter(tenant=purged).exists()
    kept = Organization.objects.get(pk=patient.pk)
    assert kept.deleted_at is None and kept.name == "Patient Works" and Domain.objects.filter(tenant=kept).exists()
