"""The per-key rate limit: each key has its own count (``api_key`` in DRF's throttle rates)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from apikeys.authentication import key_of


class APIKeyRateThrottle(SimpleRateThrottle):
    """Count the calls of each key (cache keys carry the schema, so two workspaces' key ids never meet)."""

    scope = "api_key"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]  # read now: tests and settings may change it

    def get_cache_key(self, request, view):
        key = key_of(request)
        return None if key is None else self.cache_format % {"scope": self.scope, "ident": key.pk}
