"""Apply the stored, verified Stripe events, oldest first, one at a time (see ``webhooks_drain``)."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from djstripe.models import WebhookEventTrigger

from billing import gateway

logger = logging.getLogger(__name__)

RETRY_GIVE_UP = timedelta(days=3)  # Stripe itself stops retrying an event after three days
WEBHOOKS_LOCK = 7_305_112_001  # pg_advisory_xact_lock key: one Stripe event applied at a time


def webhooks_drain(*, retry_failed_before: datetime | None = None) -> int:
    """Apply the stored, verified events not yet applied, oldest first; return how many were applied.

    Each event is applied in a transaction of its own that first takes a PostgreSQL advisory
    lock: however many workers drain, events are applied one at a time, in arrival order (dj-stripe's
    syncs of the same objects race when run concurrently). dj-stripe stores each event id once,
    so a second delivery of an event changes nothing. An event that fails keeps its error on its row (for
    operators) and is skipped, unless it failed before ``retry_failed_before`` (the sweep's retry).
    """
    pending = WebhookEventTrigger.objects.filter(valid=True, processed=False).order_by("pk")
    if retry_failed_before is None:
        pending = pending.filter(exception="")
    else:
        pending = pending.filter(Q(exception="") | Q(updated__lt=retry_failed_before,
                                                     created__gte=timezone.now() - RETRY_GIVE_UP))
    applied, failed = 0, []
    gateway.configure()
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WEBHOOKS_LOCK])
            trigger = pending.exclude(pk__in=failed).select_for_update().first()
            if trigger is None:
                return applied
            try:
                with transaction.atomic():
                    trigger.process(save=True, api_key=gateway.api_key())
                applied += 1
            except Exception as error:  # any failure: recorded, retried by the sweep
                logger.exception("Stripe event %s (trigger %s) failed", trigger.json_body.get("id"), trigger.pk)
                trigger.exception, trigger.traceback = str(error)[:128], traceback.format_exc()
                trigger.save(update_fields=["exception", "traceback", "updated"])
                failed.append(trigger.pk)
