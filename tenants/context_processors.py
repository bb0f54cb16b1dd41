"""Template context every page gets."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from tenants.hosts import public_origin


def workspace_read_only(request) -> bool:
    """Return whether the tenant's workspace may not change anything now (suspended, cancelled, trial over, held).

    The entitlements come from subscriptions (request.entitlements, set by its middleware); on the
    public host there is no workspace, so nothing there is read-only.
    """
    if getattr(request, "tenant", None) is None:
        return False
    entitlements = getattr(request, "entitlements", None)
    return bool(entitlements is not None and entitlements.read_only)


def unison(request) -> dict:
    """Return the current organisation (or None on the public host), the public site's URL, and
    ``workspace_read_only``: the one flag templates use to leave out write buttons."""
    return {
        "organization": getattr(request, "tenant", None),
        "public_url": public_origin(),
        "impersonator": request.session.get("impersonator") if hasattr(request, "session") else None,
        "workspace_read_only": SimpleLazyObject(lambda: workspace_read_only(request)),
        "support_email": parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
    }
