"""Make sure PostgreSQL answers and the database exists; report on Redis.

Run by ``make run`` and ``make test`` before anything touches the database.
"""

from __future__ import annotations

import sys

import psycopg
from redis import Redis
from redis.exceptions import RedisError

from unison.settings.env import env


def postgres_ensure(url: str) -> None:
    """Create the database named in ``url`` if the server answers and it is missing."""
    config = env.db_url_config(url)
    admin = dict(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"], password=config["PASSWORD"])
    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **admin) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"created database {config['NAME']}")


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


def main() -> int:
    url = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/unison")
    postgres_ensure(url)
    redis_url = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
    print(f"redis at {redis_url}: {'up' if redis_answers(redis_url) else 'down (tasks will run eagerly)'}")
    print("services ready")
    return 0


if __name__ == "__main__":
    sys.exit(main())
