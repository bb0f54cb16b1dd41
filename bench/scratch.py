"""A throwaway database on the server of DATABASE_URL, for the benchmarks."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg


def scratch_database(name: str, *, drop_only: bool = False) -> str:
    """Drop database ``name`` and, unless ``drop_only``, create it empty; return its URL."""
    from unison.settings.env import env

    base = env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/unison")
    config = env.db_url_config(base)
    server = {"host": config["HOST"], "port": config["PORT"] or 5432, "user": config["USER"], "password": config["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))
