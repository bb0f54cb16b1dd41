"""Stripe webhooks processed by a worker: our endpoint (billing/webhooks.py) verifies, stores and queues them.

Answering Stripe quickly (it waits at most a few seconds and retries for days) and doing the
work here keeps slow Stripe or database calls out of the request; a failure is retried with
back-off instead of waiting for Stripe's next retry.
"""

from __future__ import annotations

from django.db import transaction

from billing.services import webhook_trigger_process
from unison.celery import app

RETRY_SECONDS_MAX = 300


def webhook_trigger_dispatch(trigger) -> bool:
    """Queue the verified event for a worker once its row is committed; return whether it was queued.

    With Celery eager (no broker) nothing is queued: the caller processes it in the request.
    """
    if app.conf.task_always_eager:
        return False
    trigger_id = trigger.pk
    transaction.on_commit(lambda: webhook_process_task.delay(trigger_id))
    return True


@app.task(name="billing.process_webhook", bind=True, max_retries=12)
def webhook_process_task(self, trigger_id: int) -> str:
    """Process the stored webhook; wait for its row to be saved as valid, retry failures with back-off."""
    try:
        done = webhook_trigger_process(trigger_id=trigger_id)
    except Exception as error:
        raise self.retry(exc=error, countdown=min(RETRY_SECONDS_MAX, 2 ** self.request.retries)) from error
    if not done:
        raise self.retry(countdown=0.1)
    return "processed"
