"""Celery tasks for notices: thin wrappers over notifications.services."""

from __future__ import annotations

from notifications import services
from unison.celery import app


@app.task(name="notifications.send")
def notification_send_task(notification_id: int) -> str:
    """Send one queued notice (a no-op if it went out already)."""
    log = services.notification_send(notification_id=notification_id)
    return log.status if log else "skipped"


@app.task(name="notifications.resend_waiting")
def notifications_resend_task(older_than_seconds: int = 60) -> int:
    """Queue again the notices that the broker never took (the outbox sweep)."""
    return services.notifications_resend(older_than_seconds=older_than_seconds)
