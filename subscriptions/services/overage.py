"""The owner's choice between a hard storage limit and storage overage billed by use."""

from __future__ import annotations

from django.db import transaction

from subscriptions.models import Subscription
from subscriptions.services.core import _copy_onto, _forget_after_commit, _locked, event_record
from subscriptions.states import target_of


@transaction.atomic
def subscription_storage_overage_set(*, subscription: Subscription, enabled: bool, actor: str) -> Subscription:
    """Turn storage overage on or off, recording who did it; return the subscription.

    Billing checks that Stripe bills the overage before it turns it on; setting the same value again
    changes nothing and records nothing.
    """
    locked = _locked(subscription)
    name = "storage_overage_on" if enabled else "storage_overage_off"
    if locked.storage_overage_enabled != enabled:
        target_of(name, locked.status)  # on needs a paid, active plan: IllegalTransition otherwise
        locked.storage_overage_enabled = enabled
        locked.save(update_fields=["storage_overage_enabled", "updated_at"])
        event_record(locked, name, from_status=locked.status,
                     actor=actor, stripe_item_id=locked.storage_overage_item_id)
        _forget_after_commit(locked)
    return _copy_onto(subscription, locked)
