"""Save shop-floor rows only after their own rules pass."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, models


def record_save(instance: models.Model) -> models.Model:
    """Validate the row (fields, uniqueness, clean) and save it; raise ValidationError naming the field."""
    instance.full_clean()
    instance.save()
    return instance


def record_update(instance: models.Model, fields: dict, *, allowed: Iterable[str]) -> models.Model:
    """Set the allowed fields from ``fields``, then validate and save; unknown fields are an error."""
    allowed = set(allowed)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    for name, value in fields.items():
        setattr(instance, name, value)
    return record_save(instance)


def record_number(model: type[models.Model], prefix: str) -> tuple[int, str]:
    """Reserve the next id of the model's table and return it with its number, e.g. (7, "WO-00007")."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
        pk = cursor.fetchone()[0]
    return pk, f"{prefix}-{pk:05d}"


def schema_lock(name: str) -> None:
    """Serialise writers of ``name`` within the current schema until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':' || %s::text))", [name])


def schema_check(organization) -> None:
    """Refuse to write for ``organization`` while the connection uses another schema."""
    if connection.schema_name != organization.schema_name:
        raise RuntimeError(f"Writing for {organization.schema_name} from schema {connection.schema_name}.")
