"""The limits on the public forms: signups (the signup form and the signup API) and the workspace finder.

Two counts per client address (DRF's rule, with NUM_PROXIES; by default the socket's address):
workspaces created (``signup``, e.g. 10/hour), so an office whose people mistype the form is not
locked out for an hour, and every attempt (``signup_attempt``, e.g. 60/hour), so the form cannot be
hammered.

The workspace finder counts every request per client address (``workspace_find``) and per e-mail
asked about (``workspace_find_email``), so neither one network nor many can flood an inbox; both
answer the same whether or not the address has an account.
"""

from __future__ import annotations

import hashlib

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class AddressThrottle(SimpleRateThrottle):
    """Count requests per client address at the rate of DEFAULT_THROTTLE_RATES named by ``scope``."""

    def get_rate(self) -> str | None:
        # Read the rate on each use, so settings overrides apply at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SignupAttemptThrottle(AddressThrottle):
    """Allow an address the ``signup_attempt`` rate of signup submissions, valid or not."""

    scope = "signup_attempt"


class SignupThrottle(AddressThrottle):
    """Allow an address to submit while it has created fewer workspaces than the ``signup`` rate.

    Checking does not count: ``signup_count`` does, once a workspace exists.
    """

    scope = "signup"

    def throttle_success(self) -> bool:
        return True

    def count(self, request) -> None:
        """Count one workspace created from the request's address."""
        if self.rate is None:
            return
        self.allow_request(request, None)  # reads the address's history and drops what has aged out
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


def signup_allowed(request) -> bool:
    """Count a signup attempt from the request's address; return False once the address is over either rate."""
    return SignupAttemptThrottle().allow_request(request, None) and SignupThrottle().allow_request(request, None)


def signup_count(request) -> None:
    """Count a workspace created from the request's address against its ``signup`` rate."""
    SignupThrottle().count(request)


class WorkspaceFindThrottle(AddressThrottle):
    """Allow an address the ``workspace_find`` rate of workspace-finder requests."""

    scope = "workspace_find"


class WorkspaceFindEmailThrottle(AddressThrottle):
    """Allow each e-mail the ``workspace_find_email`` rate of finder requests, from any address."""

    scope = "workspace_find_email"

    def __init__(self, email: str):
        super().__init__()
        # The cache key names a digest, not the address itself.
        self.ident = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def workspace_find_address_allowed(request) -> bool:
    """Count a finder request from the request's address; return False once the address is over its rate."""
    return WorkspaceFindThrottle().allow_request(request, None)


def workspace_find_email_allowed(request, email: str) -> bool:
    """Count a finder request about ``email``; return False once that e-mail is over its rate."""
    return WorkspaceFindEmailThrottle(email).allow_request(request, None)
