"""Tenant files on S3-compatible object storage (django-storages), each workspace under its own prefix.

The counterpart of django-tenants' ``TenantFileSystemStorage`` (``MEDIA_ROOT/<schema>/``): a name
saved inside a tenant's schema is stored as ``<AWS_LOCATION>/<schema>/<name>``, so web servers and
workers on any machine read and write the same files and no workspace can name another's.
Chosen by ``MEDIA_STORAGE=s3`` (``unison/settings/storage.py``).
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.db import connection
from storages.backends.s3 import S3Storage
from storages.utils import safe_join


class TenantS3Storage(S3Storage):
    """S3Storage whose every name lives under the current schema's prefix."""

    def _normalize_name(self, name):
        # Checked against the schema's prefix, not the bucket's: "../<other schema>/..." is refused.
        try:
            return safe_join(safe_join(self.location, connection.schema_name), name)
        except ValueError:
            raise SuspiciousOperation(f"Attempted access to '{name}' denied.") from None
