"""Send notices to an organisation's owners, each (organisation, kind, occasion) at most once.

``notify()`` writes a row of the notification log inside the caller's transaction;
the row's unique key is what keeps a notice to once, and the row is also the
outbox: after commit the sending is handed to Celery, and if the broker is down
the row simply stays queued until ``notifications_resend()`` picks it up.
"""

from __future__ import annotations

import json
import logging
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.emails import ADDRESS_SUBJECTS, KINDS, address_message_build, message_build
from notifications.models import NotificationLog, NotificationStatus
from notifications.selectors import notifications_waiting, owner_emails

logger = logging.getLogger(__name__)
OCCASION_MAX = NotificationLog._meta.get_field("occasion").max_length

_INSERT = f"""
    INSERT INTO {NotificationLog._meta.db_table}
        (organization_id, kind, occasion, context, recipients, subject, status, attempts, error, created_at)
    VALUES (%s, %s, %s, %s::jsonb, '[]'::jsonb, '', %s, 0, '', %s)
    ON CONFLICT (organization_id, kind, occasion) DO NOTHING
    RETURNING id
"""


def notify(*, organization, kind: str, occasion: str, context: dict | None = None) -> int | None:
    """Record the notice and queue it to go out once the current transaction commits.

    Return the new log row's id, or None when this (organisation, kind, occasion)
    was recorded before: then nothing is sent again. Raise ValueError for an
    unknown kind or an overlong occasion.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown notice kind {kind!r}; use one of {', '.join(KINDS)}.")
    if len(occasion) > OCCASION_MAX:
        raise ValueError(f"A notice's occasion must be at most {OCCASION_MAX} characters, not {len(occasion)}.")
    payload = json.dumps(context or {}, cls=DjangoJSONEncoder)
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT, [organization.pk, kind, occasion, payload, NotificationStatus.QUEUED, timezone.now()]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    transaction.on_commit(partial(notification_enqueue, notification_id=row[0], schema_name=organization.schema_name))
    return row[0]


def notification_enqueue(*, notification_id: int, schema_name: str) -> bool:
    """Hand the sending to Celery, in the organisation's schema; return False if the broker is down.

    A broker error never reaches the caller (the web request that caused the
    notice has already committed): the row stays queued and is sent later.
    """
    from notifications.tasks import notification_send_task

    try:
        with schema_context(schema_name):
            notification_send_task.apply_async(args=[notification_id])
    except Exception:  # noqa: BLE001 - any broker failure leaves the row queued in the outbox
        logger.warning("Broker unavailable; notice %s stays queued", notification_id, exc_info=True)
        return False
    return True


@transaction.atomic
def notification_send(*, notification_id: int) -> NotificationLog | None:
    """Send a queued notice to the organisation's owners and record the outcome.

    Return the updated row, or None when it was sent already or another worker
    holds it (so running this twice, or concurrently, sends one e-mail).
    """
    log = (
        NotificationLog.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("organization")
        .filter(pk=notification_id, status__in=[NotificationStatus.QUEUED, NotificationStatus.FAILED])
        .first()
    )
    if log is None:
        return None
    recipients = owner_emails(log.organization)
    message = message_build(kind=log.kind, organization=log.organization, context=log.context, recipients=recipients)
    log.recipients, log.subject, log.attempts = recipients, message.subject[:200], log.attempts + 1
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - any mail failure is recorded and retried later
        log.status, log.error = NotificationStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        log.status, log.error, log.sent_at = NotificationStatus.SENT, "", timezone.now()
    log.save(update_fields=["recipients", "subject", "attempts", "status", "error", "sent_at"])
    return log


def notifications_resend(*, older_than_seconds: int = 60, directly: bool = False, progress=None) -> int:
    """Queue again (or, with ``directly``, send in this process) every notice still waiting.

    Return how many were handed on. ``progress(index, total, log)`` is called for each.
    """
    waiting = list(notifications_waiting(older_than_seconds=older_than_seconds))
    for index, log in enumerate(waiting, start=1):
        if progress:
            progress(index, len(waiting), log)
        if directly:
            notification_send(notification_id=log.pk)
        else:
            notification_enqueue(notification_id=log.pk, schema_name=log.organization.schema_name)
    return len(waiting)


def address_notice_send(*, kind: str, recipient: str, context: dict) -> None:
    """Send a notice to one address now (call it from a task); raise ValueError for an unknown kind.

    Nothing is logged per address: these notices answer a visitor's request (the workspace
    finder), which its own throttles keep to a few an hour.
    """
    if kind not in ADDRESS_SUBJECTS:
        raise ValueError(f"Unknown address notice {kind!r}; use one of {', '.join(ADDRESS_SUBJECTS)}.")
    address_message_build(kind=kind, context=context, recipient=recipient).send()
