"""Real processes for the scaling tests: gunicorn web servers, a Celery worker and PgBouncer.

Each starts on a free port of 127.0.0.1 against the test database (committed data, so these tests
use ``transactional_db``), in a process of its own: nothing is shared with the test process but
PostgreSQL and Redis, as between the machines of a deployment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.authentication import TenantTokenObtainSerializer
from tests.lifecycle.conftest import _stop, broker, eventually, free_port, own_redis, queue  # noqa: F401 (fixtures)
from unison.devservices import PGBOUNCER

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
# What this test run put in the environment that a deployed process would not have.
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "CACHE_BACKEND", "CACHE_LOCATION",
                 "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "DATABASE_POOLING", "REDIS_URL")


def database_url(host: str | None = None, port: int | None = None) -> str:
    """Return the URL of the test database, directly or through a pooler at host:port."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{host or db['HOST']}:{port or db['PORT'] or 5432}/{db['NAME']}"


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
    schema = organization.schema_name if organization else "public"
    with schema_context(schema):
        token = TenantTokenObtainSerializer.get_token(user).access_token
    return {"Authorization": f"Bearer {token}"}


class Web:
    """A gunicorn server (one sync worker: one process, one database connection) and a client for it."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def get(self, host: str, path: str, **kwargs) -> requests.Response:
        return requests.get(f"http://127.0.0.1:{self.port}{path}", headers={"Host": host, **kwargs.pop("headers", {})},
                            timeout=30, allow_redirects=False, **kwargs)

    def post(self, host: str, path: str, **kwargs) -> requests.Response:
        return requests.post(f"http://127.0.0.1:{self.port}{path}", headers={"Host": host, **kwargs.pop("headers", {})},
                             timeout=30, allow_redirects=False, **kwargs)

    def answers(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        with suppress(requests.ConnectionError):
            return self.get(settings.UNISON_BASE_DOMAIN, "/robots.txt").status_code == 200
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
        eventually(web.answers, seconds=60, what=f"gunicorn on port {port}")
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
        command = [str(BIN / "celery"), "-A", "unison", "worker", "-P", "solo", "-l", "info", "--without-heartbeat",
                   "--without-gossip", "--without-mingle", "-n", f"scaling-{os.getpid()}-{len(started)}@%h"]
        if include:
            command += ["--include", include]
        process = subprocess.Popen(command, cwd=ROOT, env={**environment, "CELERY_QUEUE": queue},
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        _stop(process)


class PgBouncer:
    """A PgBouncer in transaction mode in front of the test's PostgreSQL, with ``pool_size`` server connections."""

    def __init__(self, folder: Path, pool_size: int):
        self.folder, self.port = folder, free_port()
        db = connection.settings_dict
        (folder / "userlist.txt").write_text(f'"{db["USER"]}" ""\n')
        (folder / "pgbouncer.ini").write_text("\n".join([
            "[databases]",
            f"* = host={db['HOST']} port={db['PORT'] or 5432}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "auth_type = trust",
            f"auth_file = {folder / 'userlist.txt'}",
            "pool_mode = transaction",
            f"default_pool_size = {pool_size}",
            "max_client_conn = 100",
            "server_reset_query =",
            "ignore_startup_parameters = extra_float_digits",
            "",
        ]))
        # PgBouncer refuses to run as root; it then switches to the user named by -u.
        as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
        self.log = folder / "pgbouncer.log"
        self.process = subprocess.Popen([str(PGBOUNCER), *as_user, str(folder / "pgbouncer.ini")],
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        eventually(self.answers, seconds=10, what="pgbouncer to listen")

    @property
    def url(self) -> str:
        return database_url("127.0.0.1", self.port)

    def answers(self) -> bool:
        import psycopg

        if self.process.poll() is not None:
            pytest.fail(f"pgbouncer exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
        with suppress(psycopg.OperationalError), psycopg.connect(self.url.replace("postgres://", "postgresql://"),
                                                                 connect_timeout=2, autocommit=True) as raw:
            return raw.execute("SELECT 1").fetchone() == (1,)
        return False

    def session_search_path(self) -> str:
        """Return what a new client's server connection searches before it sets anything itself."""
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as raw:
            return raw.execute("SHOW search_path").fetchone()[0]


@pytest.fixture
def pgbouncer():
    """Start PgBouncer (Debian's package; ``make test`` installs it) with two server connections; stop it after."""
    if not PGBOUNCER.exists():
        pytest.fail(f"{PGBOUNCER} is missing: `make test` installs it, or run `apt-get install -y pgbouncer`")
    folder = Path(tempfile.mkdtemp(prefix="unison-pgbouncer-"))
    folder.chmod(0o755)  # readable by the user PgBouncer runs as
    bouncer = PgBouncer(folder, pool_size=2)
    yield bouncer
    _stop(bouncer.process)
    shutil.rmtree(folder, ignore_errors=True)
