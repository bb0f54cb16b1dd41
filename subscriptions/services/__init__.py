"""Writes for subscriptions: the trial, named transitions, plan changes, payments and add-ons.

Every write runs in a transaction on a locked row, records a ``SubscriptionEvent`` through
``subscription_transition`` and drops the cached entitlements after commit. The ones Stripe's
webhooks drive are idempotent and tolerate late or repeated events. Import them from here.
"""

from __future__ import annotations

from subscriptions.services.core import (
    MAX_ADD_ON_QUANTITY,
    MAX_TRIAL_EXTENSION_DAYS,
    SUSPEND_AFTER_FAILED_PAYMENTS,
    BillingRefused,
    subscription_is_paid_in_stripe,
    subscription_transition,
)
from subscriptions.services.payments import (
    subscription_convert,
    subscription_record_payment_failed,
    subscription_record_payment_succeeded,
)
from subscriptions.services.plans import (
    pending_downgrades_apply,
    subscription_apply_pending_tier,
    subscription_change_tier,
    subscription_schedule_downgrade,
    subscription_set_add_on,
)
from subscriptions.services.standing import (
    subscription_cancel,
    subscription_cancel_by_customer,
    subscription_end,
    subscription_reactivate,
    subscription_resume,
    subscription_suspend,
)
from subscriptions.services.trials import (
    organization_create_with_trial,
    subscription_expire_trial,
    subscription_extend_trial,
    subscription_start_trial,
)

__all__ = [
    "MAX_ADD_ON_QUANTITY",
    "MAX_TRIAL_EXTENSION_DAYS",
    "SUSPEND_AFTER_FAILED_PAYMENTS",
    "BillingRefused",
    "organization_create_with_trial",
    "pending_downgrades_apply",
    "subscription_apply_pending_tier",
    "subscription_cancel",
    "subscription_cancel_by_customer",
    "subscription_change_tier",
    "subscription_convert",
    "subscription_end",
    "subscription_expire_trial",
    "subscription_extend_trial",
    "subscription_is_paid_in_stripe",
    "subscription_reactivate",
    "subscription_record_payment_failed",
    "subscription_record_payment_succeeded",
    "subscription_resume",
    "subscription_schedule_downgrade",
    "subscription_set_add_on",
    "subscription_start_trial",
    "subscription_suspend",
    "subscription_transition",
]
