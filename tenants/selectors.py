"""Reads for organisations."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django_tenants.utils import get_public_schema_name

from tenants.models import Organization


def organization_current() -> Organization | None:
    """Return the organisation whose schema the connection is using, or None on the public schema."""
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Organization) else None


def slug_is_available(slug: str) -> bool:
    """Return whether no organisation uses the slug yet."""
    return not Organization.objects.filter(slug=slug).exists()


# Schemas read by one statement of organizations_with_user: PostgreSQL plans a UNION of this
# many index lookups in milliseconds; more organisations take more statements of this size.
SCHEMAS_PER_QUERY = 500


def organizations_with_user(*, email: str) -> list[Organization]:
    """Return the active organisations where an active user signs in with ``email``, by name.

    Users live in each organisation's schema and no public table lists them, so this reads every
    schema's user table, as one UNION ALL statement per SCHEMAS_PER_QUERY organisations (each part
    an index lookup on the unique e-mail), not one query per schema.
    """
    email = email.strip().lower()
    organizations = {org.schema_name: org for org in Organization.objects.filter(is_active=True)
                     .exclude(schema_name=get_public_schema_name())}
    user_table = connection.ops.quote_name(get_user_model()._meta.db_table)
    found: set[str] = set()
    names = sorted(organizations)
    for start in range(0, len(names), SCHEMAS_PER_QUERY):
        chunk = names[start:start + SCHEMAS_PER_QUERY]
        parts = [f"SELECT %s FROM {connection.ops.quote_name(name)}.{user_table} WHERE email = %s AND is_active"
                 for name in chunk]
        params = [value for name in chunk for value in (name, email)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            found.update(row[0] for row in cursor.fetchall())
    return sorted((organizations[name] for name in found), key=lambda org: (org.name.lower(), org.slug))
