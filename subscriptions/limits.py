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
    pending: int = 0  # places already promised (pending invitations), counted against the limit

    @property
    def free(self) -> int | None:
        """Return how many more fit (None when unlimited)."""
        return None if self.limit is None else max(self.limit - self.used - self.pending, 0)

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
        ("users", usage.users, limits.users, "user"),
        ("plants", usage.plants, limits.plants, "plant"),
    ):
        if limit is not None and used > limit:
            found.append(Violation(resource, used, limit, f"You have {counted(used, noun)}; {plan_name} allows {limit}."))
    if limits.storage_bytes is not None and usage.storage_bytes > limits.storage_bytes:
        message = f"You store {gigabytes(usage.storage_bytes)}; {plan_name} allows {gigabytes(limits.storage_bytes)}."
        found.append(Violation("storage_bytes", usage.storage_bytes, limits.storage_bytes, message))
    return found


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """Return a count with its noun: counted(1, "plant") → "1 plant", counted(3, "plant") → "3 plants"."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


# What each action counts: (the limit it uses, its noun, the add-on that raises it).
_RESOURCES = {"add_user": ("users", "user", "extra_user"), "add_plant": ("plants", "plant", "extra_plant"),
              "upload": ("storage_gb", "GB", "extra_storage")}


def _limit_phrase(limit: int | None, resource: str, noun: str) -> str:
    if limit is None:
        return f"unlimited {'storage' if resource == 'storage_gb' else noun + 's'}"
    return f"{limit} GB" if resource == "storage_gb" else counted(limit, noun)


def limit_lift(tier_key: str, action: str, currency: str = catalog.CURRENCY) -> str:
    """Return the sentence naming what lifts the action's limit: its add-on and the next plan with more.

    "Add the Extra user add-on ($5 per user a month) or upgrade to Professional (25 users)."
    A second plant needs multi-plant operations, which no add-on brings, so on a plan without it
    only the upgrade is named.
    """
    from subscriptions.templatetags.subscription_tags import cents  # the one money format of the pages

    resource, noun, add_on_key = _RESOURCES[action]
    if tier_key not in catalog.TIERS:  # no subscription: nothing to name
        return "Choose a plan on the billing page."
    current = catalog.tier(tier_key)
    now = getattr(current.limits, resource)
    bigger = next((t for t in catalog.TIERS.values() if t.rank > current.rank
                   and (getattr(t.limits, resource) is None or now is not None and getattr(t.limits, resource) > now)), None)
    ways = []
    if action != "add_plant" or "multi_plant" in current.features:
        add_on = catalog.ADD_ONS[add_on_key]
        ways.append(f"add the {add_on.name} add-on ({cents(add_on.cents_per_unit(currency), currency)} per {add_on.unit} a month)")
    if bigger is not None:
        ways.append(f"upgrade to {bigger.name} ({_limit_phrase(getattr(bigger.limits, resource), resource, noun)})")
    sentence = " or ".join(ways) or "contact us"
    return f"{sentence[0].upper()}{sentence[1:]}."


def limit_message(*, action: str, limit: int, used: int, pending: int = 0, adding: int = 1, tier_key: str,
                  currency: str = catalog.CURRENCY) -> str:
    """Return the sentence a refused action shows: the limit, what counts against it, and what lifts it.

    "Your plan includes 1 plant and you have 1. Upgrade to Professional (5 plants)."
    "Your plan includes 3 users and you have 1 user and 2 pending invitations. …"
    A batch that does not fit says how many would: "…: 1 more fits, and you asked for 3. …"
    """
    resource, noun, _add_on = _RESOURCES[action]
    if action == "upload":
        return (f"This upload would pass your plan's storage limit ({gigabytes(used)} of {gigabytes(limit)} used). "
                f"{limit_lift(tier_key, action, currency)}")
    have = counted(used, noun) if pending or adding > 1 else str(used)
    if pending:
        have += f" and {counted(pending, 'pending invitation')}"
    free = max(limit - used - pending, 0)
    if adding > 1 and free:
        fits = f": {free} more {'fits' if free == 1 else 'fit'}, and you asked for {adding}."
    elif adding > 1 or pending:
        fits = ", so no more fit."
    else:
        fits = "."
    return f"Your plan includes {counted(limit, noun)} and you have {have}{fits} {limit_lift(tier_key, action, currency)}"


def limit_check(organization, action: str, *, nbytes: int = 0, adding: int = 1, pending: int = 0) -> LimitCheck:
    """Return whether the organisation may do ``action`` (add_user, add_plant or upload) now.

    ``adding`` is how many the action adds (a batch of invitations); ``pending`` is how many more
    already hold a place (pending invitations count against the user limit).
    """
    entitlements = entitlements_for(organization)
    limits = entitlements.limits
    if action == "add_user":
        limit, used = limits.users, users_count(organization)
    elif action == "add_plant":
        limit, used = limits.plants, plants_count(organization)
    elif action == "upload":
        limit, used, adding, pending = limits.storage_bytes, storage_bytes_used(organization), nbytes, 0
    else:
        raise ValueError(f"Unknown action {action!r}; use one of {', '.join(ACTIONS)}.")
    allowed = limit is None or used + pending + adding <= limit
    if action == "upload" and entitlements.storage_overage:
        allowed = True  # the owner chose to be billed for storage past the limit (see billing's overage)
    message = "" if allowed else limit_message(
        action=action, limit=limit, used=used, pending=pending, adding=adding, tier_key=entitlements.tier,
        currency=_currency(organization))
    return LimitCheck(action, allowed, limit, used, message, upgrade_url(), pending)


def _currency(organization) -> str:
    """Return the currency the workspace's prices are in (its subscription's), read only for a refusal."""
    from subscriptions.models import Subscription

    found = Subscription.objects.filter(organization=organization).values_list("currency", flat=True).first()
    return found if found in catalog.CURRENCIES else catalog.CURRENCY


def limit_enforce(organization, action: str, *, nbytes: int = 0, adding: int = 1, pending: int = 0) -> None:
    """Raise LimitExceeded unless the organisation may do ``action`` now."""
    check = limit_check(organization, action, nbytes=nbytes, adding=adding, pending=pending)
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
