"""Exports: ask for one (audited, one at a time), build it in a worker, download it (audited).

A build claims its row with a conditional UPDATE (queued → running), so a job delivered twice builds
once. It writes the zip to a temporary file and stores it in the workspace store (``unison.media_storage``, the
disk or S3) when complete: a failed build marks its row failed and leaves no file behind.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from exports import selectors
from exports.archive import archive_write
from exports.models import Export
from exports.tables import excluded, export_tables
from platform_admin.services import audit_record
from tenants.models import Organization
from unison.errors import ApplicationError
from unison.media_storage import workspace_storage

logger = logging.getLogger(__name__)
# An export that has not moved for this long stopped (its worker died): the next request fails it.
STALE_AFTER = timedelta(minutes=30)
KEEP_FILES = 3  # the newest finished exports keep their file; older ones are removed to save space


class ExportInProgress(ApplicationError):
    code = "export_in_progress"
    status = 409

    def __init__(self, export: Export | None):
        if export is None:
            super().__init__("Another export has just started: wait for it to finish, then ask again.")
            return
        who = export.requested_by.email if export.requested_by else "someone"
        super().__init__(
            f"Export {export.pk}, asked by {who} at {export.created_at:%H:%M} UTC, is still {export.status} "
            f"({export.progress} % done): wait for it to finish, then ask again.",
            extra={"export": {"id": export.pk, "status": export.status, "progress": export.progress}})


class ExportBuildStopped(Exception):
    """The export's row is no longer running (it was failed as stale): stop writing."""


def _in_progress_fail_stale(*, now) -> int:
    """Mark failed the queued or running exports that stopped moving; remove their partial files."""
    stale = list(Export.objects.filter(status__in=Export.IN_PROGRESS, updated_at__lt=now - STALE_AFTER))
    for export in stale:
        _files_remove(export)
    return Export.objects.filter(pk__in=[e.pk for e in stale], status__in=Export.IN_PROGRESS).update(
        status=Export.Status.FAILED, finished_at=now, updated_at=now,
        error=f"It stopped without finishing (no progress for {STALE_AFTER.seconds // 60} minutes). Ask again.")


def _audit(*, action: str, organization: Organization, user, export: Export, impersonator: str = "") -> None:
    details = {"export_id": export.pk, "user_id": user.pk, "schema": connection.schema_name}
    if impersonator:
        details["impersonator"] = impersonator
    audit_record(actor=None, actor_email=user.email, action=action, target=organization,
                 organization_id=organization.pk, details=details)


def export_request(*, organization: Organization, user, impersonator: str = "") -> Export:
    """Start an export of the current workspace for ``user``; audit it; return it, queued.

    Raise ExportInProgress (409) while another is queued or running, and ApplicationError (503) when
    the job could not be queued (the row is then failed).
    """
    now = timezone.now()
    _in_progress_fail_stale(now=now)
    try:
        with transaction.atomic():
            running = selectors.export_in_progress()
            if running is not None:
                raise ExportInProgress(running)
            export = Export.objects.create(requested_by=user, created_at=now)
            _audit(action="export_request", organization=organization, user=user, export=export,
                   impersonator=impersonator)
            transaction.on_commit(partial(_queue, export_id=export.pk, schema_name=connection.schema_name))
    except IntegrityError as exc:  # one_export_in_progress: another request won the race
        raise ExportInProgress(selectors.export_in_progress()) from exc
    export.refresh_from_db()
    if export.status == Export.Status.FAILED and export.started_at is None:
        raise ApplicationError(export.error, code="export_not_queued", status=503)
    return export


def _queue(*, export_id: int, schema_name: str) -> None:
    from exports.tasks import export_build_task

    try:
        export_build_task.apply_async(args=[export_id, schema_name], headers={"_schema_name": schema_name})
    except Exception:  # the broker is unreachable: say so now rather than leave the export queued
        logger.exception("Could not queue export %s of %s", export_id, schema_name)
        Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
            status=Export.Status.FAILED, finished_at=timezone.now(),
            error="The export could not be started (the job queue did not answer): try again in a minute.")


def _migrations(schema_name: str) -> dict[str, str]:
    """Return the last migration applied in the schema, by app."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, max(name) FROM {connection.ops.quote_name(schema_name)}.django_migrations "
                       "GROUP BY app ORDER BY app")
        return dict(cursor.fetchall())


def _head(*, organization: Organization, export: Export) -> dict:
    schema = connection.schema_name
    return {
        "generated_at": timezone.now(),
        "export_id": export.pk,
        "requested_by": export.requested_by.email if export.requested_by else None,
        "organization": {"id": organization.pk, "name": organization.name, "slug": organization.slug,
                         "schema": schema},
        "schema_version": {"workspace": _migrations(schema), "account": _migrations(get_public_schema_name())},
        "excluded": excluded(),
    }


def _progress_save(export: Export, done: int, total: int) -> None:
    percent = min(99, done * 100 // max(total, 1))  # 100 only once the file is in place
    if not Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
            progress=percent, updated_at=timezone.now()):
        raise ExportBuildStopped(f"Export {export.pk} is no longer running.")


def _files_remove(export: Export) -> None:
    workspace_storage().delete(selectors.export_name(export))  # a missing file is fine


def export_build(*, export_id: int) -> Export:
    """Build the queued export ``export_id`` of the current workspace; return it, done or failed.

    An export that is not queued (built already, or being built) is returned as it is.
    """
    now = timezone.now()
    if not Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
            status=Export.Status.RUNNING, started_at=now, progress=0, updated_at=now):
        return Export.objects.get(pk=export_id)
    export = Export.objects.select_related("requested_by").get(pk=export_id)
    organization = Organization.objects.get(schema_name=connection.schema_name)
    name = selectors.export_name(export)
    try:
        with tempfile.TemporaryDirectory(prefix="unison-export-") as folder:
            part = Path(folder) / "export.zip"
            archive_write(path=part, tables=export_tables(organization),
                          head=_head(organization=organization, export=export), progress=partial(_progress_save, export))
            with part.open("rb") as built:
                workspace_storage().save(name, File(built))
        finished = Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
            status=Export.Status.DONE, progress=100, size_bytes=workspace_storage().size(name),
            finished_at=timezone.now(), file_name=name)
        if not finished:
            raise ExportBuildStopped(f"Export {export.pk} is no longer running.")
    except BaseException as exc:
        _files_remove(export)
        Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
            status=Export.Status.FAILED, finished_at=timezone.now(), file_name="",
            error="The export failed before it was complete, and nothing of it was kept: ask again. "
                  f"({type(exc).__name__})")
        raise
    _old_files_prune()
    export.refresh_from_db()
    return export


def _old_files_prune() -> None:
    """Remove the files of finished exports older than the newest ``KEEP_FILES``."""
    done = Export.objects.filter(status=Export.Status.DONE).exclude(file_name="")
    for export in done[KEEP_FILES:]:
        _files_remove(export)
        Export.objects.filter(pk=export.pk).update(file_name="")


def export_download(*, organization: Organization, user, export_id: int, impersonator: str = "") -> tuple[Export, File]:
    """Return the finished export ``export_id`` of the current workspace and its file, opened; audit the download.

    Raise ApplicationError: 404 for no such export here, 409 while it is not done, 410 once its file is gone.
    """
    export = Export.objects.filter(pk=export_id).first()
    if export is None:
        raise ApplicationError(f"There is no export {export_id} in this workspace.", code="not_found", status=404)
    if export.status != Export.Status.DONE:
        detail = {Export.Status.FAILED: f"Export {export.pk} failed: ask for a new one."}.get(
            export.status, f"Export {export.pk} is still {export.status} ({export.progress} % done): "
                           "download it when it is done.")
        raise ApplicationError(detail, code="export_not_ready", status=409, extra={"status": export.status})
    name = selectors.export_name(export)
    if not export.file_name or not workspace_storage().exists(name):
        raise ApplicationError(f"The file of export {export.pk} was removed (only the newest {KEEP_FILES} are "
                               "kept): ask for a new export.", code="export_file_removed", status=410)
    with transaction.atomic():
        _audit(action="export_download", organization=organization, user=user, export=export,
               impersonator=impersonator)
    return export, workspace_storage().open(name, "rb")
