"""Operator roles: which areas of the console (pages, actions, admin API) each role may use.

support reads and impersonates; finance reads, acts on subscriptions and sees the metrics; owner does
everything. A superuser without a role (``User.console_role`` blank) gets nothing. Every console
request also needs two-factor sign-in: the session passed a code, or the JWT was issued for one.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from accounts.authentication import TWO_FACTOR_CLAIM
from accounts.models import ConsoleRole
from accounts.two_factor_flow import session_verified

READ, IMPERSONATE, SUBSCRIPTIONS, METRICS, ORGANIZATIONS = "read", "impersonate", "subscriptions", "metrics", "organizations"
AREAS: dict[str, set[str]] = {
    READ: {ConsoleRole.SUPPORT, ConsoleRole.FINANCE, ConsoleRole.OWNER},  # lists, details, usage, audit log
    IMPERSONATE: {ConsoleRole.SUPPORT, ConsoleRole.OWNER},
    SUBSCRIPTIONS: {ConsoleRole.FINANCE, ConsoleRole.OWNER},  # extend trial, suspend, lift, comp, change plan
    METRICS: {ConsoleRole.FINANCE, ConsoleRole.OWNER},  # the dashboard's figures, metrics API and CSVs
    ORGANIZATIONS: {ConsoleRole.OWNER},  # edit, activate and deactivate organisations
}


def is_operator(user) -> bool:
    """Return whether the user is an active superuser with a console role."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser and user.console_role)


def operator_can(user, area: str) -> bool:
    """Return whether the operator's role covers ``area``."""
    return is_operator(user) and user.console_role in AREAS[area]


def request_verified(request) -> bool:
    """Return whether this request's sign-in passed two-factor: its session, or the JWT it carries."""
    token = getattr(request, "auth", None)
    if token is not None and hasattr(token, "get"):
        return token.get(TWO_FACTOR_CLAIM) is True
    return session_verified(request)


class ConsoleArea(BasePermission):
    """The admin API's check: an operator, signed in with two-factor, whose role covers the view's area.

    A view names its area in ``area``, or one per method in ``areas`` (e.g. ``{"PATCH": ORGANIZATIONS}``).
    """

    message = "Operators only: this needs a console role that covers it, and two-factor sign-in."

    def has_permission(self, request, view) -> bool:
        area = getattr(view, "areas", {}).get(request.method, getattr(view, "area", READ))
        return request_verified(request) and operator_can(request.user, area)
