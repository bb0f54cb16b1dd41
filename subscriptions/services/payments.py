"""Writes Stripe's invoice events drive: the failed-payment count and the notices (idempotent).

The billing status itself follows Stripe's subscription (``subscription_mirror``); these keep
count of attempts and tell the owners once per invoice and attempt.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from notifications.services import notify
from subscriptions.models import Status, Subscription
from subscriptions.services.core import _copy_onto, _locked


@transaction.atomic
def subscription_record_payment_failed(
    *, subscription: Subscription, attempt_count: int, invoice_id: str = ""
) -> Subscription:
    """Count a failed payment of ``invoice_id`` and tell the owners once per attempt; return the subscription.

    An attempt not newer than the count recorded, or a failure of the invoice last known paid, changes nothing.
    """
    if isinstance(attempt_count, bool) or not isinstance(attempt_count, int) or attempt_count < 1:
        raise ValidationError({"attempt_count": ["Give the attempt number, 1 or more."]})
    locked = _locked(subscription)
    if attempt_count <= locked.failed_payment_count or (invoice_id and invoice_id == locked.last_paid_invoice_id):
        return _copy_onto(subscription, locked)
    locked.failed_payment_count = attempt_count
    locked.save(update_fields=["failed_payment_count", "updated_at"])
    notify(
        organization=locked.organization,
        kind="payment_failed",
        occasion=f"{invoice_id}:{attempt_count}",
        context={"attempt_count": attempt_count, "invoice_id": invoice_id,
                 "suspended": locked.status == Status.SUSPENDED},
    )
    return _copy_onto(subscription, locked)


@transaction.atomic
def subscription_record_payment_succeeded(
    *, subscription: Subscription, invoice_id: str, amount_paid_cents: int
) -> Subscription:
    """Record a paid invoice: reset the failure count, and thank the owners if money was taken. Return it.

    A $0 invoice (a trial's first) sends no "payment received".
    """
    locked = _locked(subscription)
    if locked.last_paid_invoice_id != invoice_id or locked.failed_payment_count:
        locked.failed_payment_count, locked.last_paid_invoice_id = 0, invoice_id
        locked.save(update_fields=["failed_payment_count", "last_paid_invoice_id", "updated_at"])
    if amount_paid_cents > 0:
        notify(organization=locked.organization, kind="payment_succeeded", occasion=invoice_id,
               context={"invoice_id": invoice_id, "amount_cents": amount_paid_cents})
    return _copy_onto(subscription, locked)
