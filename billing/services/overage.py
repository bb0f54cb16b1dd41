"""Storage overage billed by use: an owner's opt-in, and the usage sweep's report to Stripe's meter.

Opting in needs a paid, active monthly plan with a storage limit (paid access follows payment: a
trial, a past-due or suspended workspace, an operator's hold or comp cannot). It adds the metered
price to the Stripe subscription and mirrors it; from then on uploads past the limit are allowed
(``subscriptions.entitlements.storage_overage_allowed``). Opting out restores the hard limit at once;
what the period has accrued already is still billed at its end.

Each billing period is billed on its peak: every GB over the limit at the most the workspace stored
over it that period costs one GB-month at the Extra storage add-on's price. The sweep reports that
peak (an absolute figure) to a meter that keeps the period's last value, with an identifier made of
the subscription, the period and the figure: a sweep run twice, or retried after a crash between
Stripe's answer and our commit, sends the same figure again and Stripe counts it once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from billing import gateway
from billing.gateway import BillingError
from billing.models import StorageOverageReport
from billing.services.checkout import price_ids
from billing.services.mirror import billing_subscription_sync, storage_overage_item
from subscriptions import catalog
from subscriptions.entitlements import (
    active_add_ons,
    gb_over,
    limits_with_add_ons,
    storage_overage_allowed,
    storage_overage_refusal,
)
from subscriptions.models import Subscription, UsageSnapshot
from subscriptions.services import subscription_storage_overage_set
from tenants.models import Organization
from unison.errors import ApplicationError

logger = logging.getLogger(__name__)


def billing_storage_overage_set(*, organization: Organization, enabled: bool, actor: str) -> Subscription:
    """Opt the workspace in to storage overage (through Stripe) or out of it; return the subscription.

    Raise ApplicationError (402, field ``enabled``) when it cannot opt in; opting out always works.
    """
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    if enabled:
        refusal = storage_overage_refusal(subscription)
        if refusal:
            raise ApplicationError(refusal, code="storage_overage_unavailable", status=402, field="enabled")
        with transaction.atomic():  # one opt-in at a time: never two metered items
            Subscription.objects.select_for_update().get(pk=subscription.pk)
            current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
            if storage_overage_item(current) is None:
                key = catalog.STORAGE_OVERAGE.lookup_key_in(subscription.currency)
                price = price_ids([key])[key]
                current = gateway.subscription_change_items(current["id"], items=[{"price": price}],
                                                            proration_behavior="none")
            billing_subscription_sync(subscription=subscription, stripe_subscription=current, actor=actor)
    return subscription_storage_overage_set(subscription=subscription, enabled=enabled, actor=actor)


def _limit_gb(subscription: Subscription) -> int | None:
    return limits_with_add_ons(subscription.tier, active_add_ons(subscription)).storage_gb


def storage_overage_report_one(*, subscription: Subscription, storage_bytes: int) -> StorageOverageReport | None:
    """Record the period's peak overage and report it to Stripe if it grew; return the period's row.

    Return None when the workspace does not have storage overage now (nothing is reported).
    """
    if not storage_overage_allowed(subscription) or subscription.current_period_start is None:
        return None
    over = gb_over(storage_bytes, _limit_gb(subscription))
    with transaction.atomic():
        report, _ = StorageOverageReport.objects.select_for_update().get_or_create(
            subscription=subscription, period_start=subscription.current_period_start,
            defaults={"period_end": subscription.current_period_end})
        report.peak_gb = max(report.peak_gb, over)
        if report.peak_gb > report.reported_gb:
            identifier = (f"storage:{subscription.stripe_subscription_id}:"
                          f"{int(report.period_start.timestamp())}:{report.peak_gb}")
            gateway.meter_event_create(event_name=catalog.STORAGE_OVERAGE.event_name,
                                       customer_id=subscription.stripe_customer_id, value=report.peak_gb,
                                       identifier=identifier, timestamp=int(timezone.now().timestamp()))
            report.reported_gb, report.reported_at, report.identifier = report.peak_gb, timezone.now(), identifier
        report.save()
    return report


def billing_storage_overage_report(*, snapshots: Iterable[UsageSnapshot]) -> int:
    """Report each opted-in workspace's overage from the sweep's snapshots; return how many were measured.

    Stripe failing for one workspace leaves it for the next sweep (the figure is absolute, so nothing is
    lost) and does not stop the others.
    """
    snapshots = list(snapshots)
    subscriptions = {s.organization_id: s for s in Subscription.objects.select_related("organization").filter(
        organization_id__in=[snap.organization_id for snap in snapshots], storage_overage_enabled=True)}
    reported = 0
    for snapshot in snapshots:
        subscription = subscriptions.get(snapshot.organization_id)
        if subscription is None:
            continue
        try:
            reported += storage_overage_report_one(subscription=subscription,
                                                   storage_bytes=snapshot.storage_bytes) is not None
        except BillingError as error:
            logger.warning("Storage overage of %s not reported this time: %s", subscription.organization, error)
    return reported
