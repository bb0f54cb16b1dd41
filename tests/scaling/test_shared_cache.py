"""A plan change reaches every web process and worker at once: production's cache is one Redis for all.

Two gunicorn servers and a Celery worker run with production's settings (``DEBUG=false``, no cache
settings: the default) on the test database and a Redis of the test's own. Each reads and caches a
workspace's entitlements; an operator then gives it Enterprise through the console's API on one
server. The other server and the worker must answer with Enterprise's API access on their next
request, not when a cached entry of their own expires (``CACHE_SECONDS``). The same run with a
cache in each process shows the stale answer this guards against.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.conf import settings
from redis import Redis

from subscriptions.entitlements import CACHE_SECONDS
from tests.conftest import tenant_user
from tests.lifecycle.conftest import eventually
from tests.platform_admin.conftest import public_user
from tests.scaling.conftest import bearer, production_env
from unison.celery import app as celery_app

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workspace(make_organization):
    """Return a workspace in its trial (Professional: no API access), its owner's and an operator's headers."""
    organization = make_organization(name="Shared Cache Works")
    owner = bearer(organization, tenant_user(organization, role="owner"))
    operator = bearer(None, public_user("operator@unison.test", is_staff=True, is_superuser=True))
    return organization, owner, operator


def comp_enterprise(web, organization, operator) -> None:
    response = web.post(settings.UNISON_BASE_DOMAIN, f"/api/v1/admin/subscriptions/{organization.subscription.pk}/comp",
                        json={"tier": "enterprise", "reason": "design partner"}, headers=operator)
    assert response.status_code == 200, response.text


def plants_status(web, organization, owner) -> int:
    """Return the data API's status: 200 with Enterprise's API access, 403 without it."""
    return web.get(organization.host, "/api/v1/plants", headers=owner).status_code


def test_a_plan_change_on_one_server_reaches_the_other_server_and_the_worker_at_once(
        workspace, own_redis, broker, start_web, start_worker, tmp_path):
    organization, owner, operator = workspace
    environment = production_env(REDIS_URL=own_redis.url)  # the broker and, by default, the cache
    first, second = start_web(environment), start_web(environment)
    start_worker(environment, include="tests.scaling.probe")
    broker(own_redis.url)

    def worker_sees() -> dict:
        path = tmp_path / f"seen-{uuid.uuid4().hex}.json"
        celery_app.send_task("tests.scaling.entitlements_seen", args=[organization.pk, str(path)])
        return json.loads(eventually(lambda: path.exists() and path.read_text(), what="the worker's probe"))

    trial = {"tier": "professional", "api_access": False}
    assert (plants_status(first, organization, owner), plants_status(second, organization, owner), worker_sees()) == (
        403, 403, trial)
    redis = Redis.from_url(own_redis.url)
    cached = redis.keys(f"cache:{organization.schema_name}:1:entitlements:{organization.pk}")
    assert cached and 0 < redis.ttl(cached[0]) <= CACHE_SECONDS  # read once, kept for everyone to read again

    comp_enterprise(first, organization, operator)

    assert plants_status(second, organization, owner) == 200
    assert worker_sees() == {"tier": "enterprise", "api_access": True}
    assert plants_status(first, organization, owner) == 200
    assert redis.keys("_kombu.binding.*")  # and the broker's keys are in the same db, beside the cache's


def test_with_a_cache_in_each_process_the_other_server_answers_from_its_stale_entry(
        workspace, own_redis, start_web):
    organization, owner, operator = workspace
    environment = production_env(REDIS_URL=own_redis.url, CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache")
    first, second = start_web(environment), start_web(environment)
    assert (plants_status(first, organization, owner), plants_status(second, organization, owner)) == (403, 403)

    comp_enterprise(first, organization, operator)

    assert plants_status(first, organization, owner) == 200  # the server that made the change forgot its entry
    assert plants_status(second, organization, owner) == 403  # the other keeps its own for up to CACHE_SECONDS
