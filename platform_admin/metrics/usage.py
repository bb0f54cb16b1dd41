"""Usage read from the usage sweep's snapshots: totals, top organisations, limit violations, usage by tier.

Definitions are in the package's docstring (``platform_admin.metrics``).
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from subscriptions import catalog
from subscriptions.models import SubscriptionAddOn, UsageSnapshot

USAGE_METRICS = {"users": "users", "plants": "plants", "storage": "storage_bytes"}


def latest_usage() -> QuerySet[UsageSnapshot]:
    """Return each organisation's latest usage snapshot (one row per organisation)."""
    latest_ids = (
        UsageSnapshot.objects.order_by("organization_id", "-measured_at", "-id")
        .distinct("organization_id")
        .values("id")
    )
    return UsageSnapshot.objects.filter(id__in=Subquery(latest_ids))


def _limit_case(kind: str) -> Case:
    """Return a SQL CASE giving the tier's limit of ``kind`` (users, plants, storage_gb); NULL if unlimited."""
    whens = [
        When(organization__subscription__tier=tier.key, then=Value(getattr(tier.limits, kind)))
        for tier in catalog.TIERS.values()
        if getattr(tier.limits, kind) is not None
    ]
    return Case(*whens, default=Value(None), output_field=BigIntegerField())


def _extra_units(add_on_kind: str) -> Coalesce:
    quantity = SubscriptionAddOn.objects.filter(
        subscription_id=OuterRef("organization__subscription__id"), kind=add_on_kind, removed_at__isnull=True
    ).values("quantity")[:1]
    return Coalesce(Subquery(quantity, output_field=BigIntegerField()), 0)


def usage_with_limits():
    """Return the latest usage snapshots annotated with each organisation's limits (add-ons included)."""
    return (
        latest_usage()
        .select_related("organization", "organization__subscription")
        .annotate(
            user_limit=_limit_case("users") + _extra_units("extra_user"),
            plant_limit=_limit_case("plants") + _extra_units("extra_plant"),
            storage_limit=Cast(_limit_case("storage_gb") + _extra_units("extra_storage"), BigIntegerField()) * catalog.GB,
        )
    )


def top_organizations(*, metric: str, limit: int = 20) -> list[UsageSnapshot]:
    """Return the organisations using the most users, plants or storage, with their latest snapshot."""
    if metric not in USAGE_METRICS:
        raise ValueError(f"Unknown metric {metric!r}; use one of {', '.join(USAGE_METRICS)}.")
    order = (f"-{USAGE_METRICS[metric]}", "organization__name")
    # Rank the bare snapshots first, so the limits are worked out for the top rows only.
    top_ids = latest_usage().order_by(*order).values("id")[:limit]
    return list(usage_with_limits().filter(id__in=Subquery(top_ids)).order_by(*order))


def limit_violations(*, limit: int = 100) -> list[UsageSnapshot]:
    """Return the latest snapshots of organisations using more than their plan allows (first ``limit`` by name)."""
    over = Q(users__gt=F("user_limit")) | Q(plants__gt=F("plant_limit")) | Q(storage_bytes__gt=F("storage_limit"))
    return list(usage_with_limits().filter(over).order_by("organization__name")[:limit])



def usage_by_tier() -> list[dict]:
    """Return, per tier (catalog order, every tier listed), the organisations measured and their latest usage summed.

    Each row: tier, organizations, users, plants, storage_bytes. Organisations without a
    subscription come last under tier None, if any.
    """
    rows = (
        latest_usage()
        .values(tier=F("organization__subscription__tier"))
        .annotate(organizations=Count("id"), total_users=Sum("users"), total_plants=Sum("plants"),
                  total_storage=Sum("storage_bytes"))
        .order_by()
    )
    empty = {"organizations": 0, "users": 0, "plants": 0, "storage_bytes": 0}
    tiers = {key: {"tier": key, **empty} for key in catalog.TIERS}
    for row in rows:
        tiers[row["tier"]] = {"tier": row["tier"], "organizations": row["organizations"], "users": row["total_users"],
                              "plants": row["total_plants"], "storage_bytes": row["total_storage"]}
    return list(tiers.values())
