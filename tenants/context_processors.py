"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings


def unison(request) -> dict:
    """Return the current organisation (or None on the public host) and the public site's URL."""
    port = f":{settings.UNISON_PORT}" if settings.UNISON_PORT else ""
    return {
        "organization": getattr(request, "tenant", None),
        "public_url": f"{settings.UNISON_SCHEME}://{settings.UNISON_BASE_DOMAIN}{port}",
        "impersonator": request.session.get("impersonator") if hasattr(request, "session") else None,
    }
