"""The lifecycle sweeps that Celery beat runs: trial expiry and warnings, usage tracking and alerts.

Every sweep is safe to run twice or concurrently: trial expiry re-checks each
subscription under a row lock (subscriptions.services.subscription_expire_trial),
notices are kept to once by the notification log's unique key, and a usage run
holds an advisory lock so two runs never overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from notifications.services import notify
from subscriptions.entitlements import entitlements_for
from subscriptions.models import Status, Subscription, UsageSnapshot
from subscriptions.services import subscription_expire_trial
from subscriptions.usage import usage_record_many
from tenants.models import Organization

WARNING_DAYS = (7, 3, 1)
ALERT_THRESHOLDS = (80, 90, 100)
ALERT_STATUSES = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)
USAGE_BATCH = 100
_USAGE_LOCK = 0x756E69736F6E  # "unison": the advisory lock that keeps usage runs from overlapping


def _unpaid_trials() -> QuerySet[Subscription]:
    # A trial with a Stripe subscription behind it is paid for (Stripe charges at its end).
    return Subscription.objects.filter(
        status=Status.TRIALING, trial_ends_at__isnull=False, trial_converted=False, stripe_subscription_id=""
    ).select_related("organization")


def trials_due_to_expire(*, now: datetime) -> QuerySet[Subscription]:
    """Return the unpaid trials whose end has passed."""
    return _unpaid_trials().filter(trial_ends_at__lte=now)


def trials_due_for_warning(*, days: int, now: datetime) -> QuerySet[Subscription]:
    """Return the unpaid trials with exactly ``days`` days left (rounded up, as the banner shows it)."""
    return _unpaid_trials().filter(
        trial_ends_at__gt=now + timedelta(days=days - 1), trial_ends_at__lte=now + timedelta(days=days)
    )


def trials_expire(*, now: datetime | None = None) -> int:
    """Suspend every unpaid trial past its end (or end it, if cancelled); return how many left trialing.

    subscription_expire_trial re-checks each one under a row lock, so a second or
    concurrent run changes nothing.
    """
    expired = 0
    for subscription in trials_due_to_expire(now=now or timezone.now()):
        expired += subscription_expire_trial(subscription=subscription).status != Status.TRIALING
    return expired


def trial_warnings_send(*, now: datetime | None = None) -> int:
    """Warn the owners of trials ending in exactly 7, 3 or 1 days; return how many notices were new."""
    now = now or timezone.now()
    queued = 0
    for days in WARNING_DAYS:
        for subscription in trials_due_for_warning(days=days, now=now):
            queued += (
                notify(
                    organization=subscription.organization,
                    kind="trial_ending",
                    occasion=f"{days}d:{subscription.trial_ends_at.date().isoformat()}",
                    context={"days_left": days, "trial_ends_at": subscription.trial_ends_at},
                )
                is not None
            )
    return queued


@contextmanager
def _usage_run_lock() -> Iterator[bool]:
    """Yield whether this run took the usage lock, held by a transaction on a connection of its own.

    A transaction's lock, not a session's: behind a pooler in transaction mode (PgBouncer) a session
    lock would stay on whichever server connection took it and the unlock could reach another. The
    transaction is on its own connection, so the run's snapshots still commit batch by batch.
    """
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_USAGE_LOCK])
            acquired = cursor.fetchone()[0]
        yield acquired
    finally:
        holder.close()  # ends the transaction, and the lock with it


def organizations_to_measure() -> QuerySet[Organization]:
    """Return the active organisations, in a stable order, for a usage run."""
    return Organization.objects.filter(is_active=True).exclude(schema_name=get_public_schema_name()).order_by("pk")


def usage_track_all(
    *, batch_size: int = USAGE_BATCH, progress: Callable[[int, int, UsageSnapshot], None] | None = None
) -> list[UsageSnapshot] | None:
    """Measure every active organisation and store a snapshot each; return them.

    Return None, doing nothing, when another usage run holds the lock.
    ``progress(done, total, snapshot)`` is called after each organisation.
    """
    with _usage_run_lock() as acquired:
        if not acquired:
            return None
        organizations = list(organizations_to_measure())
        snapshots: list[UsageSnapshot] = []
        for start in range(0, len(organizations), batch_size):
            for snapshot in usage_record_many(organizations[start : start + batch_size]):
                snapshots.append(snapshot)
                if progress:
                    progress(len(snapshots), len(organizations), snapshot)
        return snapshots


def threshold_reached(used: int, allowed: int | None) -> int | None:
    """Return the highest alert threshold (80, 90 or 100 %) that ``used`` has reached, or None."""
    if not allowed:
        return None
    reached = [t for t in ALERT_THRESHOLDS if used * 100 >= t * allowed]
    return reached[-1] if reached else None


def latest_snapshots() -> QuerySet[UsageSnapshot]:
    """Return each active organisation's most recent usage snapshot."""
    return (
        UsageSnapshot.objects.filter(
            organization__is_active=True, organization__subscription__status__in=ALERT_STATUSES
        )
        .order_by("organization_id", "-measured_at", "-id")
        .distinct("organization_id")
        .select_related("organization")
    )


def _gigabytes(nbytes: int) -> str:
    return f"{nbytes / 1024**3:.1f} GB"


def usage_alerts_send(*, now: datetime | None = None) -> int:
    """Notify owners whose latest usage reached 80, 90 or 100 % of a limit; return how many notices were new.

    Each (limit, threshold) is sent at most once a calendar month; only the highest
    threshold reached is sent, so a jump from 50 % to 95 % sends one notice, not two.
    """
    period = (now or timezone.now()).strftime("%Y-%m")
    queued = 0
    for snapshot in latest_snapshots():
        limits = entitlements_for(snapshot.organization).limits
        for limit, used, allowed, shown in (
            ("users", snapshot.users, limits.users, str),
            ("plants", snapshot.plants, limits.plants, str),
            ("storage", snapshot.storage_bytes, limits.storage_bytes, _gigabytes),
        ):
            threshold = threshold_reached(used, allowed)
            if threshold is None:
                continue
            queued += (
                notify(
                    organization=snapshot.organization,
                    kind="usage_alert",
                    occasion=f"{limit}:{threshold}:{period}",
                    context={"limit": limit, "threshold": threshold, "used": shown(used), "allowed": shown(allowed)},
                )
                is not None
            )
    return queued
