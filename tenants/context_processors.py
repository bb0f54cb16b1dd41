"""Template context every page gets."""

from __future__ import annotations

from tenants.hosts import public_origin


def unison(request) -> dict:
    """Return the current organisation (or None on the public host) and the public site's URL."""
    return {
        "organization": getattr(request, "tenant", None),
        "public_url": public_origin(),
        "impersonator": request.session.get("impersonator") if hasattr(request, "session") else None,
    }
