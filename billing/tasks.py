"""Stripe webhooks applied by a worker, in arrival order: our endpoint (billing/webhooks.py) stores them.

The endpoint does not queue one task per event. It wakes a drain: ``webhooks_wake`` sets a
flag in Redis and queues ``billing.drain_webhooks`` only if the flag was not set already. The
drain clears the flag before it looks for work, so an event stored before a wake that found
the flag set is always seen by the drain that is queued. A beat sweep every minute catches
what no wake reached (the broker was down) and retries events that failed (Stripe was down).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache

from django.utils import timezone
from kombu.exceptions import OperationalError
from redis import Redis
from redis.exceptions import RedisError

from billing.services import webhooks_drain
from unison.celery import app

logger = logging.getLogger(__name__)
RETRY_SECONDS = 60  # a failed event is tried again by the first sweep a minute or more later
WAKE_FLAG_SECONDS = 60  # a drain lost with its worker stops holding back new wakes after this


@cache
def _redis(url: str) -> Redis:
    return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


def _flag_key() -> str:
    # One Redis may serve several environments: each one's queue has a flag of its own.
    return f"unison:billing:drain-webhooks:{app.conf.task_default_queue}"


def webhooks_wake() -> None:
    """Make sure a drain runs after this moment; with Celery eager, drain now, in this process."""
    if app.conf.task_always_eager:
        webhooks_drain()
        return
    try:
        if _redis(app.conf.broker_url).set(_flag_key(), "1", nx=True, ex=WAKE_FLAG_SECONDS):
            webhook_drain_task.delay()
    except (RedisError, OperationalError):
        logger.exception("Could not wake the webhook worker; the sweep will pick the event up")


@app.task(name="billing.drain_webhooks")
def webhook_drain_task() -> int:
    """Apply every stored event not yet applied (not those that failed: the sweep retries them)."""
    _redis(app.conf.broker_url).delete(_flag_key())
    return webhooks_drain()


@app.task(name="billing.sweep_webhooks")
def webhook_sweep_task() -> int:
    """Apply what no wake reached and retry events that failed at least a minute ago."""
    return webhooks_drain(retry_failed_before=timezone.now() - timedelta(seconds=RETRY_SECONDS))
