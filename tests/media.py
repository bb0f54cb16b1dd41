"""Where the filesystem store keeps a workspace's own files (MEDIA_ROOT/<schema>), for tests that write there."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def tenant_media_root(organization) -> Path:
    """Return the folder of the organisation's files in the filesystem store."""
    return Path(settings.MEDIA_ROOT) / organization.schema_name
