from __future__ import annotations

from apikeys.models import APIKey


def api_key_list() -> list[APIKey]:
    """Return the current workspace's keys, newest first."""
    return list(APIKey.objects.all())
