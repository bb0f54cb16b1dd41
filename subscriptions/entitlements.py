"""What an organisation may do right now: tier, status, features, limits, read-only (a pending deletion too).

Cached per organisation for ``CACHE_SECONDS``, and read at most once per request: inside
``entitlements_request_scope`` (``EntitlementsMiddleware``) every ``entitlements_for`` of the same
organisation (the gates, the limit checks, the banner) returns the first answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

from subscriptions import catalog
from subscriptions.models import Status, Subscription

CACHE_SECONDS = 60
# Organisation id -> its entitlements, for the request in progress (None outside a request).
_request_memo: ContextVar[dict[int, Entitlements] | None] = ContextVar("entitlements_request_memo", default=None)


@dataclass(frozen=True)
class Entitlements:
    tier: str
    status: str
    features: frozenset[str]
    limits: catalog.Limits  # add-ons included
    read_only: bool
    days_left_in_trial: int | None
    held: bool = False  # an operator's hold: read-only whatever billing says
    comped: bool = False  # an operator gave the tier free
    card_on_file: bool = False  # Stripe runs the trial and bills the tier when it ends
    storage_overage: bool = False  # storage past the limit is allowed, billed by Stripe's meter
    deletion_due_at: datetime | None = None  # an owner asked for deletion: read-only until then, then purged


    def has(self, feature_key: str) -> bool:
        return feature_key in self.features


NONE = Entitlements("", "", frozenset(), catalog.Limits(0, 0, 0), True, None)


def _cache_key(organization_id: int) -> str:
    return f"entitlements:{organization_id}"


def limits_with_add_ons(tier_key: str, add_ons: Iterable[tuple[str, int]]) -> catalog.Limits:
    """Return the tier's limits raised by the given (add-on kind, quantity) pairs."""
    extra = {"users": 0, "plants": 0, "storage_gb": 0}
    for kind, quantity in add_ons:
        extra[catalog.ADD_ONS[kind].adds] += quantity
    base = catalog.tier(tier_key).limits

    def plus(limit: int | None, key: str) -> int | None:
        return None if limit is None else limit + extra[key]

    return catalog.Limits(
        users=plus(base.users, "users"),
        plants=plus(base.plants, "plants"),
        storage_gb=plus(base.storage_gb, "storage_gb"),
    )


def active_add_ons(subscription: Subscription) -> list[tuple[str, int]]:
    """Return the subscription's active add-ons as (kind, quantity) pairs."""
    return list(subscription.add_ons.filter(removed_at__isnull=True).values_list("kind", "quantity"))


def storage_overage_refusal(subscription: Subscription) -> str:
    """Return why the workspace cannot opt in to storage overage now, or "" when it can."""
    if subscription.comp_tier or subscription.is_held:
        return "Storage overage is for plans billed through Stripe; this workspace's plan is set by our team."
    if subscription.status != Status.ACTIVE or not subscription.stripe_subscription_id:
        return ("Storage overage is billed with your plan: it is available once your plan is paid for "
                "(not during a trial, nor while a payment is due).")
    if subscription.billing_cycle != "monthly":
        return "Storage overage is billed monthly: it is available on monthly plans."
    if catalog.tier(subscription.tier).limits.storage_gb is None:
        return f"{subscription.plan.name} has no storage limit: there is nothing to go over."
    return ""


def gb_over(storage_bytes: int, limit_gb: int | None) -> int:
    """Return the whole GB (rounded up) that ``storage_bytes`` is past a limit of ``limit_gb``."""
    if limit_gb is None:
        return 0
    return max(0, math.ceil((storage_bytes - limit_gb * catalog.GB) / catalog.GB))


def storage_overage_allowed(subscription: Subscription) -> bool:
    """Return whether storage past the limit is allowed now: the owner opted in, and Stripe bills it (the
    metered item is on the paid, active monthly subscription, with no operator's hold or comp in the way)."""
    return (subscription.storage_overage_enabled and bool(subscription.storage_overage_item_id)
            and not storage_overage_refusal(subscription))


def entitlements_compute(subscription: Subscription) -> Entitlements:
    """Return what the workspace may do: billing status + the operator's hold + the operator's comp.

    The billing status mirrors Stripe: its tier and add-ons are what Stripe bills (a trial without a
    card runs on the trial tier). A comp gives its tier instead, writable, whatever Stripe bills. A
    hold makes the workspace read-only above everything, and lifting it restores the rest.
    """
    comp = subscription.comp_tier
    tier = comp or subscription.tier
    status = Status.ACTIVE if comp else subscription.status
    if subscription.is_held:
        status = Status.SUSPENDED
    return Entitlements(
        tier=tier,
        status=status,
        features=frozenset(catalog.tier(tier).features),
        limits=limits_with_add_ons(tier, active_add_ons(subscription)),
        read_only=subscription.is_held or (not comp and subscription.is_read_only),
        days_left_in_trial=None if comp else subscription.days_left_in_trial,
        held=subscription.is_held,
        comped=bool(comp),
        card_on_file=subscription.status == Status.TRIALING and bool(subscription.stripe_subscription_id),
        storage_overage=storage_overage_allowed(subscription),
    )


@contextmanager
def entitlements_request_scope() -> Iterator[None]:
    """Within the block, read each organisation's entitlements once and answer again from memory."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def entitlements_for(organization) -> Entitlements:
    """Return the organisation's entitlements: as read before in this request, else from the cache when fresh."""
    if organization is None:
        return NONE
    memo = _request_memo.get()
    if memo is not None and organization.pk in memo:
        return memo[organization.pk]
    result = _entitlements_read(organization)
    # A pending deletion is on the organisation row the request has already loaded: no query, no cache.
    due = getattr(organization, "deletion_due_at", None)
    if due is not None:
        result = replace(result, read_only=True, deletion_due_at=due)
    if memo is not None:
        memo[organization.pk] = result
    return result


def _entitlements_read(organization) -> Entitlements:
    # Cache keys carry the schema name; use the organisation's own, whoever asks. Switching to the
    # schema the connection is already on would make django-tenants set the search path again.
    same = connection.schema_name == organization.schema_name
    with nullcontext() if same else schema_context(organization.schema_name):
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
    memo = _request_memo.get()
    if memo is not None:
        memo.pop(organization.pk, None)
    with schema_context(organization.schema_name):
        cache.delete(_cache_key(organization.pk))
