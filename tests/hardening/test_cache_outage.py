"""Redis stops under the production cache: every page and API answers as before, from the database.

The cache is a real redis-server of the test's own, stopped mid-test. Reads then miss, writes are
dropped, and one warning says so. Throttles that cannot count let the request through; lockouts
(django-axes) are counted in the database and keep working.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from redis import Redis

from subscriptions.entitlements import entitlements_for
from tests.conftest import PASSWORD, billed, client_for, tenant_user, unique_slug

pytestmark = pytest.mark.django_db


def signup_body() -> dict:
    slug = unique_slug("outage")
    return {"organization_name": "Outage Works", "subdomain": slug, "full_name": "Ola Outage",
            "email": f"ola@{slug}.example.com", "password": PASSWORD, "industry": "machinery"}


def answers(organization, owner, admin) -> dict[str, int]:
    """Return the status of each request the tenant app and the public host must keep answering."""
    anonymous = Client(HTTP_HOST=organization.host)
    signed_in = client_for(organization, admin)  # an owner's first visit goes to the setup wizard
    public = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
    return {
        "sign-in page": anonymous.get("/accounts/login/").status_code,
        "sign-in": Client(HTTP_HOST=organization.host).post(
            "/accounts/login/", {"username": owner.email, "password": PASSWORD}).status_code,
        "dashboard": signed_in.get("/").status_code,
        "plants api": signed_in.get("/api/v1/plants").status_code,
        "token": anonymous.post("/api/v1/auth/token", {"email": owner.email, "password": PASSWORD},
                                content_type="application/json").status_code,
        "signup api": public.post("/api/v1/signup", signup_body(), content_type="application/json").status_code,
        "signup form": public.post("/signup/", signup_body()).status_code,
    }


def cache_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "unison.cache" and r.levelno == logging.WARNING]


def test_with_redis_down_every_request_answers_as_with_redis_up_and_one_warning_is_logged(
    redis_cache, organization, owner, caplog
):
    billed(organization, tier="enterprise")
    admin = tenant_user(organization, role="admin")
    with_redis = answers(organization, owner, admin)
    assert with_redis == {"sign-in page": 200, "sign-in": 302, "dashboard": 200, "plants api": 200, "token": 200,
                          "signup api": 201, "signup form": 302}
    assert Redis.from_url(redis_cache.url).dbsize() > 0  # entitlements and throttle counts were in Redis
    assert cache_warnings(caplog) == []

    redis_cache.stop()
    assert answers(organization, owner, admin) == with_redis
    warnings = cache_warnings(caplog)
    assert len(warnings) == 1, warnings  # once a minute, not once per call
    assert "Cache unreachable" in warnings[0]


def test_with_redis_down_entitlements_come_from_the_database(redis_cache, organization):
    billed(organization, tier="enterprise")
    assert entitlements_for(organization).tier == "enterprise"  # now cached in Redis
    redis_cache.stop()

    billed(organization, tier="starter")  # its "forget the cached entitlements" cannot reach Redis either
    assert entitlements_for(organization).tier == "starter"
    assert entitlements_for(organization).has("api_access") is False


def test_a_throttle_that_cannot_count_lets_the_request_through(redis_cache, settings):
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "signup": "1/hour"}}
    public = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
    assert public.post("/api/v1/signup", signup_body(), content_type="application/json").status_code == 201
    assert public.post("/api/v1/signup", signup_body(), content_type="application/json").status_code == 429

    redis_cache.stop()
    assert public.post("/api/v1/signup", signup_body(), content_type="application/json").status_code == 201
    assert public.post("/signup/", signup_body()).status_code == 302


def test_lockouts_are_counted_in_the_database_and_lock_only_the_one_who_failed(redis_cache, organization, owner):
    teammate = tenant_user(organization, role="member")
    redis_cache.stop()

    def sign_in(email: str, password: str) -> int:
        return Client(HTTP_HOST=organization.host).post(
            "/accounts/login/", {"username": email, "password": password}).status_code

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(owner.email, "wrong-password") == 200
    assert sign_in(owner.email, "wrong-password") == 429
    assert sign_in(owner.email, PASSWORD) == 429  # still locked: the count is in the database
    assert sign_in(teammate.email, PASSWORD) == 302  # and nobody else is


def test_a_redis_that_accepts_but_never_answers_costs_under_a_second(redis_cache, settings):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # the kernel completes the connection; nothing ever reads or replies
    port = silent.getsockname()[1]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    result: dict = {}

    def read() -> None:
        started = time.monotonic()
        result["value"] = cache.get("anything", "the default")
        result["seconds"] = time.monotonic() - started

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=5)
    silent.close()  # frees a reader that is still waiting
    assert not reader.is_alive() and result["value"] == "the default"
    assert result["seconds"] < 1.0


def test_with_redis_down_every_cache_call_is_a_miss_or_does_nothing(redis_cache, caplog):
    cache.set("counted", 1)
    assert cache.get("counted") == 1
    redis_cache.stop()

    assert cache.get("counted", "default") == "default"
    assert cache.get_many(["counted", "other"]) == {}
    assert cache.has_key("counted") is False
    assert cache.add("new", 1) is False
    assert cache.touch("counted") is False
    assert cache.delete("counted") is False
    with pytest.raises(ValueError):  # what a missing key does
        cache.incr("counted")
    cache.set("counted", 2)
    cache.set_many({"a": 1, "b": 2})
    cache.delete_many(["a", "b"])
    assert cache.clear() is False
    assert len(cache_warnings(caplog)) == 1
