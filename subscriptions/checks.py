"""Deployment checks for what subscriptions need from the settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    """Warn when production keeps the cache in each process: a plan change would reach the others late."""
    if settings.DEBUG or settings.CACHES["default"]["BACKEND"] != LOCAL_MEMORY:
        return []
    return [Warning(
        "The default cache is local to each process, so a plan change takes up to a minute to reach "
        "the entitlements cached in the other web processes and workers.",
        hint="Leave CACHE_BACKEND unset (with DEBUG=false the cache is Redis at REDIS_URL), "
             "or set CACHE_BACKEND=django.core.cache.backends.redis.RedisCache and CACHE_LOCATION=redis://…/<db>.",
        id="subscriptions.W001",
    )]
