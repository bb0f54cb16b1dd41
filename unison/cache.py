"""A Redis cache that treats an unreachable Redis as an empty cache, so the database answers instead.

Every caller of the cache (entitlements, DRF's throttles) already copes with a miss; what none
of them copes with is ``redis.exceptions.ConnectionError``. Here a read that cannot reach Redis
returns its default, and a write or delete does nothing. A warning is logged at most once a
minute per process, so an outage is seen without a line per call.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError)
WARN_EVERY_SECONDS = 60.0
# A Redis on the same network answers in well under a millisecond; a dead one must not hold a request.
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}

_last_warning = -WARN_EVERY_SECONDS


def _unreachable(operation: str, error: Exception) -> None:
    """Log that Redis could not be reached, at most once every WARN_EVERY_SECONDS in this process."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning < WARN_EVERY_SECONDS:
        return
    _last_warning = now
    logger.warning("Cache unreachable (%s: %s); serving without it, from the database. "
                   "Next warning in %.0f s at the earliest.", operation, error, WARN_EVERY_SECONDS)


class FailSafeRedisCacheClient(RedisCacheClient):
    """Django's Redis client, where an unreachable Redis reads as a miss and writes are dropped."""

    def __init__(self, servers, **options):
        super().__init__(servers, **(SOCKET_TIMEOUTS | options))

    def _attempt(self, operation: str, call, *args, fallback=None):
        try:
            return call(*args)
        except UNREACHABLE as error:
            _unreachable(operation, error)
            return fallback

    def add(self, key, value, timeout):
        return self._attempt("add", super().add, key, value, timeout, fallback=False)

    def get(self, key, default):
        return self._attempt("get", super().get, key, default, fallback=default)

    def set(self, key, value, timeout):
        self._attempt("set", super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._attempt("touch", super().touch, key, timeout, fallback=False)

    def delete(self, key):
        return self._attempt("delete", super().delete, key, fallback=False)

    def get_many(self, keys):
        return self._attempt("get_many", super().get_many, keys, fallback={})

    def has_key(self, key):
        return self._attempt("has_key", super().has_key, key, fallback=False)

    def incr(self, key, delta):
        result = self._attempt("incr", super().incr, key, delta)
        if result is None:  # what a missing key does: the caller starts its count again
            raise ValueError(f"Key '{key}' not found.")
        return result

    def set_many(self, data, timeout):
        self._attempt("set_many", super().set_many, data, timeout)

    def delete_many(self, keys):
        self._attempt("delete_many", super().delete_many, keys)

    def clear(self):
        return self._attempt("clear", super().clear, fallback=False)


class FailSafeRedisCache(RedisCache):
    """Django's RedisCache on FailSafeRedisCacheClient: a Redis outage costs cache hits, never a 500."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSafeRedisCacheClient
