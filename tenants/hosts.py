"""Absolute origins of the public site and of tenant hosts."""

from __future__ import annotations

from django.conf import settings


def origin(host: str) -> str:
    """Return ``scheme://host[:port]`` for a host served by this deployment."""
    port = f":{settings.UNISON_PORT}" if settings.UNISON_PORT else ""
    return f"{settings.UNISON_SCHEME}://{host}{port}"


def public_origin() -> str:
    """Return the origin of the public site, e.g. ``http://localhost:8000``."""
    return origin(settings.UNISON_BASE_DOMAIN)
