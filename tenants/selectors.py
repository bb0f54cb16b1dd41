"""Reads for organisations."""

from __future__ import annotations

from django.db import connection

from tenants.models import Organization


def organization_current() -> Organization | None:
    """Return the organisation whose schema the connection is using, or None on the public schema."""
    tenant = getattr(connection, "tenant", None)
    return tenant if isinstance(tenant, Organization) else None


def slug_is_available(slug: str) -> bool:
    """Return whether no organisation uses the slug yet."""
    return not Organization.objects.filter(slug=slug).exists()
