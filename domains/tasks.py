"""Celery beat's re-check of claims waiting for their TXT record (DNS changes take a while to show)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from domains import selectors, services
from domains.models import CustomDomain, Status
from subscriptions.entitlements import entitlements_for
from unison.celery import app
from unison.errors import ApplicationError

RECHECK_FOR = timedelta(days=3)  # a claim nobody proved in three days waits for its owner's "Verify now"
RECHECK_EVERY = timedelta(minutes=10)


@app.task(name="domains.recheck")
def recheck_task() -> int:
    """Verify each recent unverified claim not checked in the last ten minutes; return how many got verified.

    Safe to run twice at once: verification locks its row and does nothing to a verified claim.
    """
    now = timezone.now()
    due = (
        CustomDomain.objects.select_related("organization")
        .filter(status__in=[Status.PENDING, Status.FAILED], created_at__gte=now - RECHECK_FOR)
        .exclude(last_checked_at__gte=now - RECHECK_EVERY)
    )
    verified = 0
    for row in due:
        entitlements = entitlements_for(row.organization)
        if not entitlements.has(selectors.FEATURE) or entitlements.read_only:
            continue
        try:
            row = services.custom_domain_verify(
                organization=row.organization, domain_id=row.pk, actor_email="scheduled check"
            )
        except ApplicationError:  # taken by another workspace meanwhile (audited), or removed
            continue
        verified += int(row.status == Status.VERIFIED)
    return verified
