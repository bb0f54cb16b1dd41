"""The export job: a thin wrapper over exports.services.export_build, run in the workspace's schema."""

from __future__ import annotations

from django.db import connection

from exports import services
from unison.celery import app


@app.task(name="exports.build")
def export_build_task(export_id: int, schema_name: str) -> str:
    """Build export ``export_id`` of the workspace ``schema_name``; return its status."""
    if connection.schema_name != schema_name:  # tenant-schemas-celery sets the schema from the job's header
        raise ValueError(f"Export {export_id} belongs to {schema_name}, not {connection.schema_name}.")
    return services.export_build(export_id=export_id).status
