"""Writes for billing, one module a topic; each Stripe call goes through ``billing.gateway``.

If Stripe fails, the ``BillingError`` propagates before anything of ours is saved, so the
operation can simply be tried again. Import them from here.
"""

from __future__ import annotations

from billing.services.checkout import (
    CheckoutOpen,
    SubscriptionExists,
    billing_checkout_abandon,
    billing_checkout_start,
    price_ids,
)
from billing.services.customers import billing_customer_ensure, billing_customer_erase
from billing.services.drain import webhooks_drain
from billing.services.endpoint import HANDLED_EVENTS, SUBSCRIBED_EVENTS, stripe_webhook_setup
from billing.services.events import billing_event_apply
from billing.services.mirror import billing_state, billing_subscription_sync, mrr_of, plan_of
from billing.services.overage import (
    billing_storage_overage_report,
    billing_storage_overage_set,
)
from billing.services.plans import (
    PlanChange,
    StripeBilling,
    billing_cancel,
    billing_plan_change,
    billing_plan_preview,
    billing_portal_open,
    billing_resume,
    billing_trial_end_set,
)
from billing.services.tax import billing_tax_details_set

__all__ = [
    "HANDLED_EVENTS",
    "SUBSCRIBED_EVENTS",
    "CheckoutOpen",
    "PlanChange",
    "StripeBilling",
    "SubscriptionExists",
    "billing_cancel",
    "billing_checkout_abandon",
    "billing_checkout_start",
    "billing_customer_ensure",
    "billing_customer_erase",
    "billing_event_apply",
    "billing_plan_change",
    "billing_plan_preview",
    "billing_portal_open",
    "billing_resume",
    "billing_state",
    "billing_storage_overage_report",
    "billing_storage_overage_set",
    "billing_subscription_sync",
    "billing_tax_details_set",
    "billing_trial_end_set",
    "mrr_of",
    "plan_of",
    "price_ids",
    "stripe_webhook_setup",
    "webhooks_drain",
]
