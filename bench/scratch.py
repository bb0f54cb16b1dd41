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


def scratch_django(name: str, *, settings_module: str | None = None) -> None:
    """Set Django up on a new scratch database ``name``, with the public schema and the template migrated.

    ``settings_module`` replaces DJANGO_SETTINGS_MODULE; without it the environment's (or the base settings) stay.
    """
    import os
    import time

    os.environ["DATABASE_URL"] = scratch_database(name)
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unison.settings.base")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    from tenants.template import template_schema_ensure

    started = time.perf_counter()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template_schema_ensure()
    print(f"setup: public schema and template migrated in {time.perf_counter() - started:.1f} s", flush=True)
