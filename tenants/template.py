"""The migrated template schema that new tenant schemas are cloned from."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists


def template_schema_ensure(*, verbosity: int = 0) -> str:
    """Create or migrate the template schema and install the clone function; return its name."""
    name = settings.UNISON_TEMPLATE_SCHEMA
    connection.set_schema_to_public()
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    call_command("migrate_schemas", schema_name=name, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    CloneSchema()._create_clone_schema_function()
    return name


def schema_clone(new_schema: str) -> None:
    """Create ``new_schema`` as a copy of the template: tables, sequences and migration records."""
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT public.clone_schema(%s, %s, 'DATA')",
            [settings.UNISON_TEMPLATE_SCHEMA, new_schema],
        )
