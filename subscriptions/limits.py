"""Plan limits, checked where things are created (users, plants, uploads)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from subscriptions import catalog
from subscriptions.entitlements import entitlements_for
from subscriptions.usage import Usage, plants_count, storage_bytes_used, users_count
from unison.errors import ApplicationError

ACTIONS = ("add_user", "add_plant", "upload")


class LimitExceeded(ApplicationError):
    """Creating one more would pass the plan's limit (a 403 that says which limit and what lifts it)."""

    code = "limit_reached"
    status = 403

    def __init__(self, check: LimitCheck):
        super().__init__(check.message, extra=check.as_dict())
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


@dataclass(frozen=True)
class Violation:
    """One resource used beyond what a plan allows."""

    resource: str  # users, plants or storage_bytes
    used: int
    limit: int
    message: str


def upgrade_url() -> str:
    """Return the path of the tenant's billing page, where plans are changed."""
    return reverse("billing:page", urlconf="unison.urls_tenant")


def gigabytes(nbytes: int) -> str:
    """Format a byte count as gigabytes for people: 10737418240 → "10 GB"."""
    value = nbytes / catalog.GB
    return f"{value:.0f} GB" if value == int(value) else f"{value:.1f} GB"


def limits_exceeded(usage: Usage, limits: catalog.Limits, plan_name: str) -> list[Violation]:
    """Return what ``usage`` has beyond ``limits``, each with a sentence naming the plan."""
    found = []
    for resource, used, limit, noun in (
        ("users", usage.users, limits.users, "users"),
        ("plants", usage.plants, limits.plants, "plants"),
    ):
        if limit is not None and used > limit:
            found.append(Violation(resource, used, limit, f"You have {used} {noun}; {plan_name} allows {limit}."))
    if limits.storage_bytes is not None and usage.storage_bytes > limits.storage_bytes:
        message = f"You store {gigabytes(usage.storage_bytes)}; {plan_name} allows {gigabytes(limits.storage_bytes)}."
        found.append(Violation("storage_bytes", usage.storage_bytes, limits.storage_bytes, message))
    return found


def limit_check(organization, action: str, *, nbytes: int = 0, adding: int = 1) -> LimitCheck:
    """Return whether the organisation may do ``action`` (add_user, add_plant or upload) now."""
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
        message = (
            f"This upload would pass your plan's storage limit ({gigabytes(used)} of {gigabytes(limit)} used). "
            "Upgrade or add storage to continue."
        )
    else:
        message = f"Your plan includes {limit} {noun} and you have {used}. Upgrade or add {noun} to continue."
    return LimitCheck(action, allowed, limit, used, message, upgrade_url())


def limit_enforce(organization, action: str, *, nbytes: int = 0, adding: int = 1) -> None:
    """Raise LimitExceeded unless the organisation may do ``action`` now."""
    check = limit_check(organization, action, nbytes=nbytes, adding=adding)
    if not check.allowed:
        raise LimitExceeded(check)


def can_add_user(organization) -> bool:
    """Return whether one more active user fits the plan (add-ons included)."""
    return limit_check(organization, "add_user").allowed


def can_add_plant(organization) -> bool:
    """Return whether one more plant fits the plan (add-ons included)."""
    return limit_check(organization, "add_plant").allowed


def has_storage_for(organization, nbytes: int) -> bool:
    """Return whether ``nbytes`` more fit the plan's storage (add-ons included)."""
    return limit_check(organization, "upload", nbytes=nbytes).allowed
