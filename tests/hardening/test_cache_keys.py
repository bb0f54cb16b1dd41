"""The cache keeps to its own keys in a Redis db it shares with the broker."""

from __future__ import annotations

from django.core.cache import cache
from django_tenants.utils import schema_context
from redis import Redis


def test_a_key_carries_the_prefix_then_the_schema(redis_cache, organization):
    with schema_context(organization.schema_name):
        cache.set("numbers", 1)
    cache.set("numbers", 2)

    assert sorted(Redis.from_url(redis_cache.url).keys("*:numbers")) == sorted(
        [b"cache:public:1:numbers", f"cache:{organization.schema_name}:1:numbers".encode()])


def test_clearing_the_cache_leaves_the_brokers_keys_alone(redis_cache, organization):
    broker = Redis.from_url(redis_cache.url)
    broker.rpush("celery", "a queued task")
    broker.set("unison:billing:drain-webhooks:celery", "1")
    with schema_context(organization.schema_name):
        cache.set_many({f"entry-{n}": n for n in range(1200)})  # more than one batch of deletes
    cache.set("numbers", 2)

    assert cache.clear() is True

    assert sorted(broker.keys("*")) == [b"celery", b"unison:billing:drain-webhooks:celery"]
    assert broker.lrange("celery", 0, -1) == [b"a queued task"]
    with schema_context(organization.schema_name):
        assert cache.get("entry-1") is None
