"""What an organisation may do right now: tier, status, features, limits, read-only.

Computed once per request (``request.entitlements``) and cached per organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django_tenants.utils import schema_context

from subscriptions import catalog
from subscriptions.models import Status, Subscription

CACHE_SECONDS = 60


@dataclass(frozen=True)
class Entitlements:
    tier: str
    status: str
    features: frozenset[str]
    limits: catalog.Limits  # add-ons included
    read_only: bool
    days_left_in_trial: int | None

    def has(self, feature_key: str) -> bool:
        return feature_key in self.features


NONE = Entitlements("", "", frozenset(), catalog.Limits(0, 0, 0), True, None)


def _cache_key(organization_id: int) -> str:
    return f"entitlements:{organization_id}"


def entitlements_compute(subscription: Subscription) -> Entitlements:
    """Return the entitlements of a subscription, with its active add-ons counted into the limits."""
    plan = subscription.plan
    extra = {"users": 0, "plants": 0, "storage_gb": 0}
    for add_on in subscription.add_ons.filter(removed_at__isnull=True):
        extra[catalog.ADD_ONS[add_on.kind].adds] += add_on.quantity

    def plus(base: int | None, key: str) -> int | None:
        return None if base is None else base + extra[key]

    limits = catalog.Limits(
        users=plus(plan.limits.users, "users"),
        plants=plus(plan.limits.plants, "plants"),
        storage_gb=plus(plan.limits.storage_gb, "storage_gb"),
    )
    return Entitlements(
        tier=plan.key,
        status=subscription.status,
        features=frozenset(plan.features),
        limits=limits,
        read_only=subscription.status in (Status.SUSPENDED, Status.CANCELLED),
        days_left_in_trial=subscription.days_left_in_trial,
    )


def entitlements_for(organization) -> Entitlements:
    """Return the organisation's entitlements, from the cache when fresh."""
    if organization is None:
        return NONE
    # Cache keys carry the schema name; use the organisation's own, whoever asks.
    with schema_context(organization.schema_name):
        key = _cache_key(organization.pk)
        cached = cache.get(key)
        if cached is not None:
            return cached
        subscription = Subscription.objects.filter(organization=organization).first()
        result = NONE if subscription is None else entitlements_compute(subscription)
        cache.set(key, result, CACHE_SECONDS)
        return result


def entitlements_forget(organization) -> None:
    """Drop the cached entitlements; call after any change to the subscription or its add-ons."""
    with schema_context(organization.schema_name):
        cache.delete(_cache_key(organization.pk))
