"""Measure what an organisation uses: users, plants and stored bytes."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def tenant_media_root(organization) -> Path:
    """Return the folder that holds the organisation's files (MEDIA_ROOT/<schema>)."""
    return Path(settings.MEDIA_ROOT) / organization.schema_name


def storage_bytes_used(organization) -> int:
    """Return the total size of the organisation's files."""
    total = 0
    for folder, _dirs, files in os.walk(tenant_media_root(organization)):
        total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    return total
