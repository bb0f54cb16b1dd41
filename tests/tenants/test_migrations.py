"""Migrations: none missing, and dj-stripe's long history flattened into one migration."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader


def test_no_model_change_lacks_its_migration(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_dj_stripe_is_one_flattened_migration_in_billing(db):
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    djstripe = sorted(name for app, name in loader.disk_migrations if app == "djstripe")
    assert djstripe == ["0001_initial"]
    assert type(loader.disk_migrations[("djstripe", "0001_initial")]).__module__ == (
        "billing.djstripe_migrations.0001_initial"
    )
