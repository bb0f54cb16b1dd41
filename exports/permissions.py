"""Who may export a workspace: its owners. An export holds every user, invoice and record of it."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from accounts.models import Role

REFUSAL = {"code": "role_not_allowed", "detail": "Only an owner of the workspace can export its data."}


def can_export(user) -> bool:
    """Return whether the user may start, follow and download exports of their workspace."""
    return bool(user.is_authenticated and user.role == Role.OWNER)


class CanExport(BasePermission):
    """DRF permission: owners only, whatever the method (reads of exports included)."""

    message = REFUSAL

    def has_permission(self, request, view):
        return can_export(request.user)
