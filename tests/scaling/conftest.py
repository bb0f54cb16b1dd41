"""Real processes for the scaling tests: gunicorn web servers, a Celery worker and PgBouncer (``pgbouncer.py``).

Each starts on a free port of 127.0.0.1 against the test database (committed data, so these tests
use ``transactional_db``), in a process of its own: nothing is shared with the test process but
PostgreSQL and Redis, as between the machines of a deployment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import suppress
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.authentication import TenantTokenObtainSerializer
from tests.lifecycle.conftest import _stop, broker, eventually, free_port, own_redis, queue, worker_command  # noqa: F401 (fixtures)
from tests.scaling.pgbouncer import PgBouncer

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
# What this test run put in the environment that a deployed process would not have.
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "CACHE_BACKEND", "CACHE_LOCATION",
                 "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "DATABASE_POOLING", "REDIS_URL")


def database_url() -> str:
    """Return the URL of the test database."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(**overrides: str) -> dict[str, str]:
    """Return the environment of a deployed process (DEBUG off, production settings) on the test database."""
    environment = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    environment.update(
        DJANGO_SETTINGS_MODULE="unison.settings.base", DEBUG="false", SECRET_KEY=settings.SECRET_KEY,
        SECURE_SSL_REDIRECT="false", DATABASE_URL=database_url(), CONN_MAX_AGE="60",
        UNISON_BASE_DOMAIN=settings.UNISON_BASE_DOMAIN, EMAIL_URL="dummymail://", PYTHONPATH=str(ROOT),
    )
    environment.update(overrides)
    return environment


def bearer(organization=None, user=None) -> dict[str, str]:
    """Return the Authorization header of a JWT issued for ``user`` on the organisation's host (or the public one)."""
    if organization is None:  # an operator: the console's token endpoint, with a real two-factor code
        from django.conf import settings
        from django.test import Client

        from tests.conftest import PASSWORD
        from tests.signin import enrolled, next_code

        with schema_context("public"):
            enrolled(user)
            response = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN).post(
                "/api/v1/admin/auth/token", {"email": user.email, "password": PASSWORD, "two_factor_code": next_code(user)},
                content_type="application/json")
        return {"Authorization": f"Bearer {response.json()['access']}"}
    with schema_context(organization.schema_name):
        token = TenantTokenObtainSerializer.get_token(user).access_token
    return {"Authorization": f"Bearer {token}"}


class Web:
    """A gunicorn server (one sync worker: one process, one database connection) and a client for it."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def get(self, host: str, path: str, **kwargs) -> requests.Response:
        return requests.get(f"http://127.0.0.1:{self.port}{path}", headers={"Host": host, **kwargs.pop("headers", {})},
                            timeout=60, allow_redirects=False, **kwargs)

    def post(self, host: str, path: str, **kwargs) -> requests.Response:
        return requests.post(f"http://127.0.0.1:{self.port}{path}", headers={"Host": host, **kwargs.pop("headers", {})},
                             timeout=60, allow_redirects=False, **kwargs)

    def answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        with suppress(requests.RequestException):  # not listening yet, or still loading Django
            return requests.get(f"http://127.0.0.1:{self.port}/robots.txt", headers={"Host": settings.UNISON_BASE_DOMAIN},
                                timeout=10).status_code == 200
        return False


@pytest.fixture
def start_web(tmp_path):
    """Return a function that starts ``gunicorn unison.wsgi`` with an environment; stop them all afterwards."""
    started: list[subprocess.Popen] = []

    def start(environment: dict[str, str]) -> Web:
        port = free_port()
        log = tmp_path / f"gunicorn-{port}.log"
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "unison.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--worker-class", "sync", "--log-level", "warning"],
            cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT)
        started.append(process)
        web = Web(process, port, log)
        eventually(web.answers, seconds=180, what=f"gunicorn on port {port}")
        return web

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def start_worker(tmp_path, queue):  # noqa: F811
    """Return a function that starts a real Celery worker (on our queue, importing ``include``)."""
    started: list[subprocess.Popen] = []

    def start(environment: dict[str, str], *, include: str = "") -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        command = worker_command(f"scaling-{os.getpid()}-{len(started)}", include=include)
        process = subprocess.Popen(command, cwd=ROOT, env={**environment, "CELERY_QUEUE": queue},
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def pgbouncer():
    """Start PgBouncer in transaction mode before the test database's server, with two server connections."""
    db = connection.settings_dict
    try:
        bouncer = PgBouncer(host=db["HOST"], port=int(db["PORT"] or 5432), user=db["USER"], pool_size=2)
    except RuntimeError as error:
        pytest.fail(str(error))
    yield bouncer
    bouncer.stop()
