"""Where tenant files are stored: per workspace, on the local disk or on S3-compatible object storage.

Two stores (``unison/settings/storage.py``), each with a filesystem and an S3 backend chosen by ``MEDIA_STORAGE``:
- ``default``: the workspace's own files, counted in its plan's storage: ``MEDIA_ROOT/<schema>/`` or
  ``<AWS_LOCATION>/<schema>/``. A name saved inside a tenant's schema is stored under that schema's prefix.
- ``workspace``: what the product writes for a workspace beside its files (exports, logos), not counted:
  ``MEDIA_ROOT/tenants/`` or ``<AWS_LOCATION>/tenants/``, named ``<schema>/<kind>/<name>`` by ``workspace_name``.
With S3 every web process and worker, on any machine, reads what another wrote: nothing lives on one disk.
"""

from __future__ import annotations

import os
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage as LibraryTenantFileSystemStorage
from storages.backends.s3 import S3Storage
from storages.utils import safe_join

WORKSPACE_FOLDER = "tenants"


class TenantFileSystemStorage(LibraryTenantFileSystemStorage):
    """django-tenants' storage, reading MEDIA_ROOT at each use (the library's caches it once read)."""

    @property
    def relative_media_root(self):
        return os.path.join(settings.MEDIA_ROOT, settings.MULTITENANT_RELATIVE_MEDIA_ROOT)

    def bytes_used(self) -> int:
        """Return the size of the current schema's files (symbolic links are not followed)."""
        total = 0
        for folder, _dirs, files in os.walk(self.location):
            for name in files:
                try:
                    total += os.lstat(os.path.join(folder, name)).st_size
                except FileNotFoundError:  # deleted while we walked
                    continue
        return total


class TenantS3Storage(S3Storage):
    """S3Storage whose every name lives under the current schema's prefix."""

    def _normalize_name(self, name):
        # Checked against the schema's prefix, not the bucket's: "../<other schema>/..." is refused.
        try:
            return safe_join(safe_join(self.location, connection.schema_name), name)
        except ValueError:
            raise SuspiciousOperation(f"Attempted access to '{name}' denied.") from None

    def bytes_used(self) -> int:
        """Return the size of the current schema's files: one listing of its prefix, not a request a file."""
        prefix = self._normalize_name("").rstrip("/") + "/"
        return sum(item.size for item in self.bucket.objects.filter(Prefix=prefix))


class WorkspaceFileSystemStorage(FileSystemStorage):
    """MEDIA_ROOT/tenants/, read from the settings at each use."""

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, WORKSPACE_FOLDER)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


class WorkspaceS3Storage(S3Storage):
    """<AWS_LOCATION>/tenants/ in the bucket."""

    def __init__(self, **options):
        options["location"] = "/".join(part for part in (options.get("location", "").strip("/"), WORKSPACE_FOLDER)
                                        if part)
        super().__init__(**options)


def workspace_storage():
    """Return the store of exports and logos (``STORAGES["workspace"]``)."""
    return storages["workspace"]


def workspace_name(kind: str, name: str, schema_name: str | None = None) -> str:
    """Return the name of a workspace's ``kind`` file ``name`` in ``workspace_storage()``: <schema>/<kind>/<name>."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise SuspiciousOperation(f"Attempted access to '{name}' denied.")
    return f"{schema_name or connection.schema_name}/{kind}/{name}"


def default_bytes_used(schema_name: str) -> int:
    """Return the size of the workspace's own files in the default store."""
    from django_tenants.utils import schema_context

    # Switching schema, even to the same one, costs a SET search_path: switch only when it must.
    with nullcontext() if connection.schema_name == schema_name else schema_context(schema_name):
        return storages["default"].bytes_used()


def storage_names(storage, folder: str = "") -> list[str]:
    """Return the name of every file under ``folder`` of ``storage`` (for a tenant store, the current schema's)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a folder the filesystem store never made
        return []
    names = [f"{folder}/{name}" if folder else name for name in files]
    for sub in folders:
        names += storage_names(storage, f"{folder}/{sub}" if folder else sub)
    return names
