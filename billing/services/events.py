"""Apply a Stripe event to the organisation it belongs to (called by dj-stripe's receiver).

Each handler reads the object's current state from Stripe rather than trusting the event's copy,
and mirrors it: the same event twice, late or out of order ends where one in-order delivery would.
"""

from __future__ import annotations

from django.db import transaction

from billing import gateway
from billing.models import WebhookOutcome
from billing.services.mirror import billing_subscription_sync
from notifications.services import notify
from subscriptions.models import Subscription
from subscriptions.services import subscription_record_payment_failed, subscription_record_payment_succeeded
from subscriptions.states import IllegalTransition

RESULTS = {"applied": WebhookOutcome.Result.APPLIED, "unchanged": WebhookOutcome.Result.UNCHANGED,
           "duplicate": WebhookOutcome.Result.IGNORED, "stale": WebhookOutcome.Result.UNCHANGED}


def _subscription_id_of(data) -> str | None:
    if data.get("object") == "subscription":
        return data["id"]
    found = data.get("subscription") or (
        ((data.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    )
    return found.get("id") if isinstance(found, dict) else found


def _record(event_id, event_type, organization, customer_id, result, detail) -> WebhookOutcome:
    outcome, _ = WebhookOutcome.objects.update_or_create(
        event_id=event_id,
        defaults={"event_type": event_type, "organization": organization, "stripe_customer_id": customer_id or "",
                  "result": result, "detail": detail[:2000]},
    )
    return outcome


@transaction.atomic
def billing_event_apply(*, event_id: str, event_type: str, data: dict) -> WebhookOutcome:
    """Apply a Stripe event to the organisation it belongs to and record the outcome."""
    customer_id = data.get("id") if data.get("object") == "customer" else data.get("customer")
    customer_id = customer_id.get("id") if isinstance(customer_id, dict) else customer_id
    subscription = (
        Subscription.objects.select_for_update().select_related("organization")
        .filter(stripe_customer_id=customer_id).first() if customer_id else None
    )
    if subscription is None:
        return _record(event_id, event_type, None, customer_id, WebhookOutcome.Result.UNKNOWN_CUSTOMER,
                       f"No organisation has Stripe customer {customer_id!r}; nothing changed.")
    organization = subscription.organization
    try:
        outcome, detail = _apply(event_type, data, subscription)
    except IllegalTransition as error:
        return _record(event_id, event_type, organization, customer_id, WebhookOutcome.Result.IGNORED, str(error))
    return _record(event_id, event_type, organization, customer_id, RESULTS[outcome], detail)


def _apply(event_type: str, data: dict, subscription: Subscription) -> tuple[str, str]:
    if event_type.startswith("invoice."):
        return _apply_invoice(event_type, data, subscription)
    stripe_subscription_id = _subscription_id_of(data)
    if not stripe_subscription_id:
        return "unchanged", "The event names no subscription."
    current = gateway.subscription_retrieve(stripe_subscription_id)
    if event_type == "customer.subscription.trial_will_end":
        notify(organization=subscription.organization, kind="trial_ending",
               occasion=f"stripe:{current['id']}:{current.get('trial_end')}",
               context={"trial_end": current.get("trial_end"), "card_on_file": True})
    result = billing_subscription_sync(subscription=subscription, stripe_subscription=current)
    return result.outcome, result.detail


def _apply_invoice(event_type: str, data: dict, subscription: Subscription) -> tuple[str, str]:
    invoice = gateway.invoice_retrieve(data["id"])
    stripe_subscription_id = _subscription_id_of(invoice)
    if not stripe_subscription_id:
        return "unchanged", f"Invoice {invoice['id']} is not for a subscription."
    if event_type == "invoice.payment_succeeded" and invoice["status"] != "paid":
        return "unchanged", f"Invoice {invoice['id']} is {invoice['status']}, not paid."
    # The status first, so the notice below knows whether Stripe has given up (suspended).
    result = billing_subscription_sync(subscription=subscription, stripe_subscription_id=stripe_subscription_id)
    if event_type == "invoice.payment_succeeded":
        subscription_record_payment_succeeded(subscription=subscription, invoice_id=invoice["id"],
                                              amount_paid_cents=int(invoice.get("amount_paid") or 0))
    elif invoice["status"] == "open":  # a void invoice (a refused upgrade) is no failed renewal
        attempt = int(invoice.get("attempt_count") or data.get("attempt_count") or 1)
        subscription_record_payment_failed(subscription=subscription, attempt_count=attempt,
                                           invoice_id=invoice["id"])
    return result.outcome, f"Invoice {invoice['id']} is {invoice['status']}. {result.detail}"
