"""Reads of the workspace's exports (the current tenant schema)."""

from __future__ import annotations

from exports.models import Export
from unison.media_storage import workspace_name

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


def export_name(export: Export, schema_name: str | None = None) -> str:
    """Return the name of the export's zip in the workspace store: <schema>/exports/<uuid>.zip.

    Beside the workspace's own files, not in them: an export copies data, so it does not count towards
    the plan's storage, and a workspace at its limit can still export.
    """
    return workspace_name("exports", f"{export.uuid}.zip", schema_name)
