"""A PgBouncer of the tests' own, in transaction mode, and a runner for any tests through one.

The tests start it on a free port of 127.0.0.1 with its ini in a temporary folder (Debian's
``pgbouncer``; ``make test`` installs it when missing). As a command it runs pytest with every test
database connection through it and the pooled backend (``DATABASE_POOLING=transaction``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> .venv/bin/python -m tests.scaling.pgbouncer \\
        tests/security/test_tenant_isolation.py tests/tenants/test_routing.py -p no:randomly

Its test database is made and dropped through PgBouncer too; the runner drops what PgBouncer's
idle server connections kept pytest-django from dropping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

PGBOUNCER = Path("/usr/sbin/pgbouncer")  # the same as unison.devservices.PGBOUNCER, without importing Django


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgBouncer:
    """PgBouncer in transaction mode before PostgreSQL at host:port, with ``pool_size`` server connections per database."""

    def __init__(self, *, host: str, port: int, user: str, pool_size: int):
        if not PGBOUNCER.exists():
            raise RuntimeError(f"{PGBOUNCER} is missing: `make test` installs it, or run `apt-get install -y pgbouncer`")
        self.folder = Path(tempfile.mkdtemp(prefix="unison-pgbouncer-"))
        self.folder.chmod(0o755)  # readable by the user PgBouncer runs as
        self.port, self.user = _free_port(), user
        (self.folder / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.folder / "pgbouncer.ini").write_text("\n".join([
            "[databases]",
            f"* = host={host} port={port}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "auth_type = trust",
            f"auth_file = {self.folder / 'userlist.txt'}",
            "pool_mode = transaction",
            f"default_pool_size = {pool_size}",
            "max_client_conn = 100",
            "server_reset_query =",
            "ignore_startup_parameters = extra_float_digits",
            "",
        ]))
        # PgBouncer refuses to run as root; it then runs as the user named by -u.
        as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
        self.log = self.folder / "pgbouncer.log"
        self.process = subprocess.Popen([str(PGBOUNCER), *as_user, str(self.folder / "pgbouncer.ini")],
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"pgbouncer did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def _connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database).replace("postgres://", "postgresql://"), connect_timeout=2,
                               autocommit=True)

    def answers(self) -> bool:
        with suppress(psycopg.OperationalError), self._connect() as raw:
            return raw.execute("SELECT 1").fetchone() == (1,)
        return False

    def session_search_path(self, database: str) -> str:
        """Return what a new client's server connection searches before it sets anything itself."""
        with self._connect(database) as raw:
            return raw.execute("SHOW search_path").fetchone()[0]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(arguments: list[str]) -> int:
    """Run pytest with ``arguments``, the test database reached through a PgBouncer of its own."""
    url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unison"))
    database = url.path.lstrip("/")
    bouncer = PgBouncer(host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
                        pool_size=4)
    environment = {**os.environ, "DATABASE_URL": bouncer.url(database), "DATABASE_POOLING": "transaction",
                   "DJANGO_SETTINGS_MODULE": "unison.settings.test"}
    print(f"pgbouncer (transaction mode) on 127.0.0.1:{bouncer.port} before {url.hostname}:{url.port or 5432}",
          flush=True)
    try:
        status = subprocess.call([sys.executable, "-m", "pytest", *arguments], env=environment)
    finally:
        bouncer.stop()
    with psycopg.connect(urlunsplit(url._replace(scheme="postgresql", path="/postgres")), autocommit=True) as raw:
        for (name,) in raw.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"test_{database}%"]):
            raw.execute(f'DROP DATABASE IF EXISTS "{name}"')
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
