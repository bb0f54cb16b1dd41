"""Measure what organisations use: active users and plants in their schemas, bytes in their files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db import connection

from subscriptions.models import UsageSnapshot
from unison.media_storage import default_bytes_used

PLANT_TABLE = "shopfloor_plant"


class Usage(NamedTuple):
    users: int
    plants: int
    storage_bytes: int


def storage_bytes_used(organization) -> int:
    """Return the total size of the organisation's files, wherever the default store keeps them."""
    return default_bytes_used(organization.schema_name)


def _counts(organizations: list) -> dict[int, tuple[int, int]]:
    """Return {organization id: (active users, plants)} with one query across all the schemas."""
    if not organizations:
        return {}
    quote = connection.ops.quote_name
    parts, params = [], []
    for org in organizations:
        schema = quote(org.schema_name)
        parts.append(
            f"SELECT %s, (SELECT count(*) FROM {schema}.accounts_user WHERE is_active), "
            f"(SELECT count(*) FROM {schema}.{PLANT_TABLE})"
        )
        params.append(org.pk)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {org_id: (users, plants) for org_id, users, plants in cursor.fetchall()}


def users_count(organization) -> int:
    """Return the number of active users in the organisation's schema."""
    return _counts([organization])[organization.pk][0]


def plants_count(organization) -> int:
    """Return the number of plants in the organisation's schema."""
    return _counts([organization])[organization.pk][1]


def usage_measure_many(organizations: Iterable) -> dict[int, Usage]:
    """Return {organization id: Usage} for every organisation, counted with one SQL query plus a file walk."""
    organizations = list(organizations)
    counts = _counts(organizations)
    return {org.pk: Usage(*counts[org.pk], storage_bytes_used(org)) for org in organizations}


def usage_measure(organization) -> Usage:
    """Return what the organisation uses now: active users, plants and stored bytes."""
    return usage_measure_many([organization])[organization.pk]


def usage_record_many(organizations: Iterable) -> list[UsageSnapshot]:
    """Measure the organisations and store one time-stamped snapshot each; return the snapshots."""
    organizations = list(organizations)
    measured = usage_measure_many(organizations)
    return UsageSnapshot.objects.bulk_create(
        UsageSnapshot(organization=org, **measured[org.pk]._asdict()) for org in organizations
    )


def usage_record(organization) -> UsageSnapshot:
    """Measure the organisation and store a time-stamped snapshot; return it."""
    return usage_record_many([organization])[0]
