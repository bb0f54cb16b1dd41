"""The cache's keys, and a Redis cache that treats an unreachable Redis as an empty cache.

Keys are ``<KEY_PREFIX>:<schema>:<version>:<key>`` (``make_key``): the schema keeps tenants apart, as
django-tenants' own key function does, and the prefix first keeps the cache apart from whatever else
shares its Redis db (Celery's queues, billing's wake flag): ``clear()`` deletes the prefix's keys
and nothing else, where Django's would flush the whole db.

An unreachable Redis reads as a miss, so the database answers instead. Every caller of the cache (entitlements, DRF's throttles) already copes with a miss; what none
of them copes with is ``redis.exceptions.ConnectionError``. Here a read that cannot reach Redis
returns its default, and a write or delete does nothing. A warning is logged at most once a
minute per process, so an outage is seen without a line per call.
"""

from __future__ import annotations

import logging
import re
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connection
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (ConnectionError, TimeoutError)
WARN_EVERY_SECONDS = 60.0
# A Redis on the same network answers in well under a millisecond; a dead one must not hold a request.
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}

_last_warning = -WARN_EVERY_SECONDS
CLEAR_BATCH = 500


def make_key(key: str, key_prefix: str, version: int) -> str:
    """Return the Redis key: the cache's prefix, then the schema of the connection, the version and the key."""
    return f"{key_prefix}:{connection.schema_name}:{version}:{key}"


def reverse_key(key: str) -> str:
    """Return the caller's key from a full one (``make_key`` backwards)."""
    return key.split(":", 3)[3]


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

    def clear(self, match: str = "*"):
        """Delete the keys matching the glob ``match``; return whether Redis could be reached."""
        return self._attempt("clear", self._delete_matching, match, fallback=False)

    def _delete_matching(self, match: str) -> bool:
        client = self.get_client(write=True)
        batch = []
        for key in client.scan_iter(match=match, count=CLEAR_BATCH):
            batch.append(key)
            if len(batch) == CLEAR_BATCH:
                client.delete(*batch)
                batch = []
        if batch:
            client.delete(*batch)
        return True


class FailSafeRedisCache(RedisCache):
    """Django's RedisCache on FailSafeRedisCacheClient: a Redis outage costs cache hits, never a 500."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSafeRedisCacheClient

    def clear(self):
        """Delete this cache's keys (its prefix's), and leave the rest of the Redis db alone."""
        return self._cache.clear(match=re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*")
