"""Reads of the workspace's exports (the current tenant schema)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import connection

from exports.models import Export

RECENT = 10


def export_latest() -> Export | None:
    """Return the workspace's newest export, or None."""
    return Export.objects.select_related("requested_by").first()


def exports_recent(*, limit: int = RECENT) -> list[Export]:
    """Return the workspace's newest exports, newest first."""
    return list(Export.objects.select_related("requested_by")[:limit])


def export_in_progress() -> Export | None:
    """Return the export that is queued or running, or None."""
    return Export.objects.select_related("requested_by").filter(status__in=Export.IN_PROGRESS).first()


def export_folder(schema_name: str | None = None) -> Path:
    """Return the folder of a workspace's export files: MEDIA_ROOT/tenants/<schema>/exports.

    Beside the workspace's own files (MEDIA_ROOT/<schema>), not in them: an export copies data, so it
    does not count towards the plan's storage, and a workspace at its limit can still export.
    """
    return Path(settings.MEDIA_ROOT) / "tenants" / (schema_name or connection.schema_name) / "exports"


def export_path(export: Export, schema_name: str | None = None) -> Path:
    """Return where the export's zip is (or will be) in the current schema's folder."""
    return export_folder(schema_name) / f"{export.uuid}.zip"
