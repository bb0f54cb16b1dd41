from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start each test with no signup attempts counted (the throttle lives in the cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def signup_rate(settings):
    """Return a function that sets a signup throttle's rate for the test, e.g. ``signup_rate("2/hour")``.

    ``scope`` is ``signup`` (workspaces created) by default, or ``signup_attempt`` (every submission).
    """

    def set_rate(rate: str, scope: str = "signup") -> None:
        rest = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], scope: rate}}

    return set_rate
