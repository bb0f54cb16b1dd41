"""Writes for subscriptions: the trial, named transitions, Stripe's mirror, holds, comps and payments.

Every write runs in a transaction on a locked row, records a ``SubscriptionEvent`` through
``subscription_transition`` (or ``event_record``) and drops the cached entitlements after commit.
The billing status follows Stripe only through ``subscription_mirror``. Import them from here.
"""

from __future__ import annotations

from subscriptions.services.core import (
    MAX_ADD_ON_QUANTITY,
    MAX_TRIAL_EXTENSION_DAYS,
    extension_days_validate,
    plan_validate,
    subscription_is_in_stripe,
    subscription_transition,
)
from subscriptions.services.mirror import BillingState, MirrorResult, subscription_mirror
from subscriptions.services.overage import subscription_storage_overage_set
from subscriptions.services.payments import subscription_record_payment_failed, subscription_record_payment_succeeded
from subscriptions.services.standing import (
    StripeOwnsIt,
    subscription_cancel,
    subscription_cancelled_notify,
    subscription_comp,
    subscription_end,
    subscription_end_comp,
    subscription_hold,
    subscription_release_hold,
    subscription_resume,
)
from subscriptions.services.trial_requests import (
    REASON_MAX_LENGTH,
    TRIAL_EXTENSION_DAYS,
    trial_extension_answer,
    trial_extension_days_validate,
    trial_extension_lock_pending,
    trial_extension_refusal,
    trial_extension_request_create,
)
from subscriptions.services.trials import (
    organization_create_with_trial,
    subscription_expire_trial,
    subscription_extend_trial,
    subscription_set_trial_end,
    subscription_start_trial,
    trial_end_for_length,
)

__all__ = [
    "MAX_ADD_ON_QUANTITY",
    "MAX_TRIAL_EXTENSION_DAYS",
    "REASON_MAX_LENGTH",
    "TRIAL_EXTENSION_DAYS",
    "BillingState",
    "MirrorResult",
    "StripeOwnsIt",
    "extension_days_validate",
    "organization_create_with_trial",
    "plan_validate",
    "subscription_cancel",
    "subscription_cancelled_notify",
    "subscription_comp",
    "subscription_end",
    "subscription_end_comp",
    "subscription_expire_trial",
    "subscription_extend_trial",
    "subscription_hold",
    "subscription_is_in_stripe",
    "subscription_mirror",
    "subscription_record_payment_failed",
    "subscription_record_payment_succeeded",
    "subscription_release_hold",
    "subscription_resume",
    "subscription_set_trial_end",
    "subscription_start_trial",
    "subscription_storage_overage_set",
    "subscription_transition",
    "trial_end_for_length",
    "trial_extension_answer",
    "trial_extension_days_validate",
    "trial_extension_lock_pending",
    "trial_extension_refusal",
    "trial_extension_request_create",
]
