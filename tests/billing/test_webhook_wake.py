"""The endpoint wakes the worker with one drain task per burst of events, on a real Redis broker.

No worker consumes this test's queue, so the queued drains stay in Redis to be counted.
"""

from __future__ import annotations

import uuid

import pytest
from redis import Redis

from billing.tasks import _flag_key, webhook_drain_task, webhooks_wake
from unison.celery import app


@pytest.fixture
def own_queue():
    """Point the Celery app at a queue of this test's own (eager off); yield a Redis client and the queue."""
    saved = app.conf.task_default_queue, app.conf.task_always_eager
    queue = f"wake-test-{uuid.uuid4().hex[:10]}"
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    redis = Redis.from_url(app.conf.broker_url)
    yield redis, queue
    redis.delete(queue, _flag_key(), f"_kombu.binding.{queue}")
    app.conf.task_default_queue, app.conf.task_always_eager = saved


def test_many_wakes_queue_one_drain_until_the_drain_starts(own_queue, db):
    redis, queue = own_queue

    for _ in range(50):
        webhooks_wake()
    assert redis.llen(queue) == 1

    webhook_drain_task.apply()  # the drain starts: it clears the flag, then finds nothing to apply
    webhooks_wake()
    webhooks_wake()
    assert redis.llen(queue) == 2


def test_a_wake_flag_left_by_a_lost_drain_expires(own_queue):
    redis, _ = own_queue

    webhooks_wake()

    assert 0 < redis.ttl(_flag_key()) <= 60
