"""Who manages a workspace's keys and branding: its owners and admins, signed in (session or JWT)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


class OwnerOrAdminSignedIn(BasePermission):
    """Owners and admins signed in as themselves; a member, or a call made with an API key, is refused."""

    message = {"code": "owner_or_admin_only", "detail": "Only owners and admins, signed in, can do this."}

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "pk", None) and user.can_configure)


class OwnerSignedIn(BasePermission):
    """Owners signed in as themselves (session or JWT): admins, members and API keys are refused."""

    message = {"code": "owner_only", "detail": "Only owners, signed in, can do this."}

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "pk", None) and user.is_owner)
