"""Writes for subscriptions: trials and named state transitions."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from subscriptions import catalog
from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.states import target_of
from tenants.models import Organization
from tenants.services import organization_provision


@transaction.atomic
def organization_create_with_trial(**provision_kwargs) -> Organization:
    """Provision an organisation and open its trial in one transaction; return the organisation."""
    organization = organization_provision(**provision_kwargs)
    subscription_start_trial(organization=organization)
    return organization


@transaction.atomic
def subscription_start_trial(*, organization: Organization) -> Subscription:
    """Open the 14-day Professional trial and return the new subscription."""
    now = timezone.now()
    subscription = Subscription.objects.create(
        organization=organization,
        tier=catalog.TRIAL_TIER,
        status=Status.TRIALING,
        trial_starts_at=now,
        trial_ends_at=now + timedelta(days=catalog.TRIAL_DAYS),
        current_period_start=now,
        current_period_end=now + timedelta(days=catalog.TRIAL_DAYS),
    )
    SubscriptionEvent.objects.create(
        subscription=subscription,
        transition="start_trial",
        from_status=Status.TRIALING,
        to_status=Status.TRIALING,
        details={"tier": catalog.TRIAL_TIER, "days": catalog.TRIAL_DAYS},
    )
    return subscription


@transaction.atomic
def subscription_transition(
    *, subscription: Subscription, name: str, actor: str = "system", changes: dict | None = None, **details
) -> Subscription:
    """Move the subscription through the named transition, record it, and return it.

    ``changes`` are further field values saved with the new status. Raise
    ``IllegalTransition`` if the subscription's current status does not allow it.
    """
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    source = locked.status
    locked.status = target_of(name, source)
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    locked.save()
    SubscriptionEvent.objects.create(
        subscription=locked, transition=name, from_status=source, to_status=locked.status, actor=actor, details=details
    )
    organization = locked.organization
    transaction.on_commit(lambda: entitlements_forget(organization))
    return locked
