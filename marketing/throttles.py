"""The per-address limit on signups, shared by the signup form and the signup API."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class SignupThrottle(SimpleRateThrottle):
    """Allow a client address the ``signup`` rate of DEFAULT_THROTTLE_RATES (e.g. 10/hour)."""

    scope = "signup"

    def get_rate(self) -> str | None:
        # Read the rate on each use, so settings overrides apply at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        # Without NUM_PROXIES configured, DRF would trust any X-Forwarded-For a client sends,
        # which would let one address sign up without limit; use the socket's address then.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def signup_allowed(request) -> bool:
    """Count a signup attempt from the request's address; return False once the address is over its rate."""
    return SignupThrottle().allow_request(request, None)
