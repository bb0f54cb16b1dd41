"""Writes for trials: opening one with a new organisation, extending, expiring."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.services import notify
from subscriptions import catalog
from subscriptions.models import Status, Subscription
from subscriptions.services.core import (
    _copy_onto,
    _locked,
    event_record,
    extension_days_validate,
    subscription_is_in_stripe,
    subscription_transition,
)
from subscriptions.services.standing import StripeOwnsIt, subscription_end
from subscriptions.states import IllegalTransition
from tenants.models import Organization
from tenants.services import organization_provision


@transaction.atomic
def organization_create_with_trial(*, trial_days: int = catalog.TRIAL_DAYS, trial_offer: str = "",
                                   currency: str = catalog.CURRENCY, **provision_kwargs) -> Organization:
    """Provision an organisation and open its trial in one transaction; return the organisation."""
    organization = organization_provision(**provision_kwargs)
    subscription_start_trial(organization=organization, days=trial_days, offer=trial_offer, currency=currency)
    return organization


@transaction.atomic
def subscription_start_trial(*, organization: Organization, days: int = catalog.TRIAL_DAYS,
                             offer: str = "", currency: str = catalog.CURRENCY) -> Subscription:
    """Open the Professional trial (14 days, or the ``days`` a signed campaign ``offer`` gave), welcome the
    owners after commit, and return the subscription; its first checkout bills in ``currency``."""
    extension_days_validate(days, most=max(catalog.MAX_TRIAL_OFFER_DAYS, catalog.TRIAL_DAYS))
    now = timezone.now()
    ends = now + timedelta(days=days)
    subscription = Subscription.objects.create(
        organization=organization,
        tier=catalog.TRIAL_TIER,
        status=Status.TRIALING,
        trial_starts_at=now,
        trial_ends_at=ends,
        current_period_start=now,
        current_period_end=ends,
        currency=currency,
    )
    event_record(subscription, "start_trial", from_status=Status.TRIALING, tier=catalog.TRIAL_TIER,
                 days=days, **({"offer": offer} if offer else {}))
    notify(organization=organization, kind="welcome", occasion="trial_started", context={"trial_ends_at": ends})
    return subscription


@transaction.atomic
def subscription_extend_trial(*, subscription: Subscription, days: int, actor: str) -> Subscription:
    """Give a trial ``days`` more, reopening a lapsed (never paid) trial; return the subscription."""
    extension_days_validate(days)
    locked = _locked(subscription)
    if locked.status not in (Status.TRIALING, Status.SUSPENDED):
        raise IllegalTransition("extend_trial", locked.status)
    if subscription_is_in_stripe(locked):
        raise StripeOwnsIt("Stripe runs this trial (the customer has checked out): extend it in Stripe.")
    now = timezone.now()
    if locked.status == Status.SUSPENDED:
        if locked.trial_converted or not locked.trial_starts_at or locked.suspension_reason != "trial_expired":
            raise IllegalTransition("reopen_trial", locked.status)
        name, ends = "reopen_trial", now + timedelta(days=days)
        changes = {"suspended_at": None, "suspension_reason": ""}
    else:
        name, ends = "extend_trial", max(locked.trial_ends_at or now, now) + timedelta(days=days)
        changes = {}
    changes.update(trial_ends_at=ends, current_period_end=ends)
    return subscription_transition(
        subscription=subscription, name=name, actor=actor, changes=changes, days=days, trial_ends_at=ends
    )


@transaction.atomic
def subscription_expire_trial(*, subscription: Subscription, actor: str = "system") -> Subscription:
    """Suspend a trial that has reached its end unpaid (or cancel it, if the customer asked); return it.

    A trial not yet due, already converted or no longer trialing is left as it is, so the
    daily job may run twice.
    """
    locked = _locked(subscription)
    if not locked.trial_is_over or locked.trial_converted:
        return _copy_onto(subscription, locked)
    if locked.cancel_at_period_end:
        return _copy_onto(subscription, subscription_end(subscription=locked, actor=actor))
    locked = subscription_transition(
        subscription=locked,
        name="expire_trial",
        actor=actor,
        changes={"suspended_at": timezone.now(), "suspension_reason": "trial_expired"},
    )
    notify(
        organization=locked.organization,
        kind="trial_ended",
        occasion=locked.trial_ends_at.isoformat(),
        context={"trial_ends_at": locked.trial_ends_at},
    )
    return _copy_onto(subscription, locked)


def trial_end_for_length(subscription: Subscription, days: int):
    """Return when a trial of ``days`` days from this one's start ends; ValidationError (``days``) for a bad
    length, or for one that would have ended already."""
    extension_days_validate(days, most=catalog.MAX_TRIAL_DAYS)
    ends = (subscription.trial_starts_at or subscription.created_at) + timedelta(days=days)
    if ends <= timezone.now() + timedelta(hours=1):
        raise ValidationError({"days": [f"A {days}-day trial from {subscription.trial_starts_at:%-d %B %Y} would "
                                        "have ended already: choose more days."]})
    return ends


@transaction.atomic
def subscription_set_trial_end(*, subscription: Subscription, ends, actor: str, **details) -> Subscription:
    """Set when a trial we run (no card in Stripe) ends, for a deal; return the subscription.

    Raise IllegalTransition unless trialing, StripeOwnsIt when Stripe runs the trial (billing sets it there).
    """
    locked = _locked(subscription)
    if locked.status != Status.TRIALING:
        raise IllegalTransition("set_trial_end", locked.status)
    if subscription_is_in_stripe(locked):
        raise StripeOwnsIt("Stripe runs this trial (the customer has checked out): set its end in Stripe.")
    return subscription_transition(subscription=subscription, name="set_trial_end", actor=actor,
                                   changes={"trial_ends_at": ends, "current_period_end": ends},
                                   trial_ends_at=ends, **details)
