"""Reads for the console and the admin API: organisations, subscriptions, audit entries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django_tenants.utils import schema_context

from platform_admin.models import AuditEntry
from subscriptions import selectors as subscription_selectors
from subscriptions.models import Subscription, SubscriptionEvent, TrialExtensionRequest, UsageSnapshot
from tenants.models import Organization


def organization_list(
    *, search: str = "", tier: str = "", status: str = "", industry: str = "", is_active: bool | None = None,
    created_after=None, created_before=None,
) -> QuerySet[Organization]:
    """Return organisations matching the search (name, slug, e-mail) and filters, newest first."""
    organizations = Organization.objects.select_related("subscription").order_by("-created_at", "-id")
    if search:
        organizations = organizations.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(email__icontains=search)
        )
    if tier:
        organizations = organizations.filter(subscription__tier=tier)
    if status:
        organizations = organizations.filter(subscription__status=status)
    if industry:
        organizations = organizations.filter(industry=industry)
    if is_active is not None:
        organizations = organizations.filter(is_active=is_active)
    if created_after:
        organizations = organizations.filter(created_at__date__gte=created_after)
    if created_before:
        organizations = organizations.filter(created_at__date__lte=created_before)
    return organizations


def subscription_list(*, tier: str = "", status: str = "", search: str = "") -> QuerySet[Subscription]:
    """Return subscriptions with their organisations, filtered by tier, status and organisation name or slug."""
    subscriptions = Subscription.objects.select_related("organization").order_by("-created_at", "-id")
    if tier:
        subscriptions = subscriptions.filter(tier=tier)
    if status:
        subscriptions = subscriptions.filter(status=status)
    if search:
        subscriptions = subscriptions.filter(
            Q(organization__name__icontains=search) | Q(organization__slug__icontains=search)
        )
    return subscriptions


def organization_users(organization: Organization) -> list:
    """Return the organisation's users, read from its own schema."""
    with schema_context(organization.schema_name):
        return list(get_user_model().objects.order_by("email"))


def organization_usage_history(organization: Organization, *, limit: int = 30) -> list[UsageSnapshot]:
    return list(UsageSnapshot.objects.filter(organization=organization).order_by("-measured_at")[:limit])


def organization_events(organization: Organization, *, limit: int = 50) -> list[SubscriptionEvent]:
    return list(SubscriptionEvent.objects.filter(subscription__organization=organization)[:limit])


def organization_audit(organization: Organization, *, limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(organization_id=organization.pk)[:limit])


def organization_detail(organization: Organization) -> dict:
    """Return what the console shows about one organisation besides its own fields.

    A deleted organisation has no schema any more: nothing is read in it (its search path would fall
    through to the public schema's tables).
    """
    if organization.deleted_at is not None:
        return {"subscription": Subscription.objects.filter(organization=organization).first(), "users": [],
                "usage_history": [], "events": organization_events(organization),
                "audit_entries": organization_audit(organization), "violations": []}
    return {
        "subscription": Subscription.objects.filter(organization=organization).first(),
        "users": organization_users(organization),
        "usage_history": organization_usage_history(organization),
        "events": organization_events(organization),
        "audit_entries": organization_audit(organization),
        # Measured now in the organisation's schema (the usage page works from the latest snapshots).
        "violations": subscription_selectors.limit_violations(organization),
    }


def audit_list(
    *, action: str = "", actor: str = "", organization_id: int | None = None, target_type: str = ""
) -> QuerySet[AuditEntry]:
    """Return audit entries, newest first, filtered by action, actor e-mail, organisation or target type."""
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_email__icontains=actor)
    if organization_id is not None:
        entries = entries.filter(organization_id=organization_id)
    if target_type:
        entries = entries.filter(target_type=target_type)
    return entries


def trial_extension_list(*, status: str = "", organization_id: int | None = None) -> QuerySet[TrialExtensionRequest]:
    """Return requests for more trial days, newest first, with their organisations; filtered by status."""
    extensions = TrialExtensionRequest.objects.select_related("organization")
    if status:
        extensions = extensions.filter(status=status)
    if organization_id is not None:
        extensions = extensions.filter(organization_id=organization_id)
    return extensions


def impersonation_end_entry(*, token_id: int) -> AuditEntry | None:
    """Return the audit entry that records the end of the impersonation opened by login token ``token_id``."""
    return AuditEntry.objects.filter(action="impersonation_end", details__token_id=token_id).first()
