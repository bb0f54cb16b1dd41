"""A Redis of the test's own and a real worker (the job tests' fixtures), and the cache pointed at that Redis."""

from __future__ import annotations

import pytest

# The job tests' fixtures: a Redis of our own, and a real Celery worker on a queue of the test's own.
from tests.lifecycle.conftest import broker, mail_dir, own_redis, queue, start_worker  # noqa: F401


@pytest.fixture
def redis_cache(own_redis, settings, monkeypatch):  # noqa: F811
    """Point the default cache at our own Redis through the production backend; return that Redis."""
    from django.core.cache import caches

    import unison.cache

    # Overriding CACHES makes Django drop its cache connections (django.test.signals); close ours first.
    caches["default"].close()
    settings.CACHES = {"default": {**settings.CACHES["default"], "BACKEND": "unison.cache.FailSafeRedisCache",
                                   "LOCATION": own_redis.url}}
    assert type(caches["default"]).__name__ == "FailSafeRedisCache"
    monkeypatch.setattr(unison.cache, "_last_warning", -unison.cache.WARN_EVERY_SECONDS)  # warn again in this test
    return own_redis
