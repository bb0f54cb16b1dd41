"""Plan limits, checked where things are created (users, plants, uploads)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from subscriptions.entitlements import entitlements_for

ACTIONS = ("add_user", "add_plant", "upload")


class LimitExceeded(Exception):
    """Creating one more would pass the plan's limit."""

    def __init__(self, check: LimitCheck):
        super().__init__(check.message)
        self.check = check


@dataclass(frozen=True)
class LimitCheck:
    action: str
    allowed: bool
    limit: int | None
    used: int
    message: str
    upgrade_url: str

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "allowed": self.allowed,
            "limit": self.limit,
            "used": self.used,
            "message": self.message,
            "upgrade_url": self.upgrade_url,
        }


def upgrade_url() -> str:
    """Return the path of the tenant's billing page, where plans are changed."""
    return reverse("billing:page", urlconf="unison.urls_tenant")


def _count(schema_name: str, sql: str) -> int:
    with schema_context(schema_name), connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def users_count(organization) -> int:
    return _count(organization.schema_name, "SELECT count(*) FROM accounts_user WHERE is_active")


def plants_count(organization) -> int:
    return _count(organization.schema_name, "SELECT count(*) FROM shopfloor_plant")


def limit_check(organization, action: str, *, nbytes: int = 0, adding: int = 1) -> LimitCheck:
    """Return whether the organisation may do ``action`` (add_user, add_plant or upload) now."""
    from subscriptions.usage import storage_bytes_used

    limits = entitlements_for(organization).limits
    if action == "add_user":
        limit, used, noun = limits.users, users_count(organization), "users"
    elif action == "add_plant":
        limit, used, noun = limits.plants, plants_count(organization), "plants"
    elif action == "upload":
        limit = limits.storage_bytes
        used, noun = storage_bytes_used(organization), "storage"
        adding = nbytes
    else:
        raise ValueError(f"Unknown action {action!r}; use one of {', '.join(ACTIONS)}.")
    allowed = limit is None or used + adding <= limit
    if allowed:
        message = ""
    elif noun == "storage":
        message = "This upload would pass your plan's storage limit. Upgrade or add storage to continue."
    else:
        message = f"Your plan includes {limit} {noun} and you have {used}. Upgrade or add {noun} to continue."
    return LimitCheck(action, allowed, limit, used, message, upgrade_url())


def limit_enforce(organization, action: str, *, nbytes: int = 0, adding: int = 1) -> None:
    """Raise LimitExceeded unless the organisation may do ``action`` now."""
    check = limit_check(organization, action, nbytes=nbytes, adding=adding)
    if not check.allowed:
        raise LimitExceeded(check)


def can_add_user(organization) -> bool:
    return limit_check(organization, "add_user").allowed


def can_add_plant(organization) -> bool:
    return limit_check(organization, "add_plant").allowed


def has_storage_for(organization, nbytes: int) -> bool:
    return limit_check(organization, "upload", nbytes=nbytes).allowed
