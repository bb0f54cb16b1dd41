"""``branding``: the workspace's look on its pages (None on the public host, or without white labelling)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from branding.selectors import branding_shown


def branding(request) -> dict:
    return {"branding": SimpleLazyObject(lambda: branding_shown(request))}
