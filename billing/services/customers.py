"""The organisation's one Stripe customer."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from djstripe.models import Customer as StripeCustomer
from djstripe.models import Event, WebhookEventTrigger

from billing import gateway
from billing.models import WebhookOutcome
from subscriptions.models import Subscription
from tenants.models import Organization


@transaction.atomic
def billing_customer_ensure(*, organization: Organization) -> str:
    """Return the organisation's Stripe customer id, creating the customer once if needed."""
    subscription = Subscription.objects.select_for_update().get(organization=organization)
    if subscription.stripe_customer_id:
        customer_id = subscription.stripe_customer_id
        if not StripeCustomer.objects.filter(id=customer_id).exists():
            _link_customer(gateway.customer_retrieve(customer_id), organization)
        return customer_id
    metadata = {
        "organization_id": str(organization.pk),
        "organization_slug": organization.slug,
        "djstripe_subscriber": str(organization.pk),
    }
    # The same key makes Stripe return the same customer if we retry after a failure here.
    customer = gateway.customer_create(
        email=organization.email, name=organization.name, metadata=metadata,
        idempotency_key=f"unison-customer-{organization.pk}",
    )
    _link_customer(customer, organization)
    subscription.stripe_customer_id = customer["id"]
    subscription.save(update_fields=["stripe_customer_id", "updated_at"])
    return customer["id"]


def _link_customer(customer, organization: Organization) -> None:
    local = StripeCustomer.sync_from_stripe_data(customer, api_key=gateway.api_key())
    if local.subscriber_id != organization.pk:
        local.subscriber = organization
        local.save(update_fields=["subscriber"])


def billing_customer_erase(*, organization: Organization) -> None:
    """Cancel and delete the organisation's Stripe customer, then every copy of it and its events we hold.

    Safe to run again: a customer or subscription Stripe no longer has counts as done. Stripe is
    called first, so a failure there leaves our rows in place for the next run to find the ids.
    """
    subscription = Subscription.objects.filter(organization=organization).first()
    customer_ids = set(StripeCustomer.objects.filter(subscriber=organization).values_list("id", flat=True))
    if subscription is not None and subscription.stripe_customer_id:
        customer_ids.add(subscription.stripe_customer_id)
    if subscription is not None and subscription.stripe_subscription_id:
        _gone_ok(gateway.subscription_cancel_now, subscription.stripe_subscription_id)
    for customer_id in sorted(customer_ids):
        _gone_ok(gateway.customer_delete, customer_id)
    with transaction.atomic():
        for customer_id in customer_ids:
            Event.objects.filter(Q(data__object__customer=customer_id) | Q(data__object__id=customer_id)).delete()
            WebhookEventTrigger.objects.filter(body__contains=customer_id).delete()
        StripeCustomer.objects.filter(Q(id__in=customer_ids) | Q(subscriber=organization)).delete()
        WebhookOutcome.objects.filter(Q(organization=organization) | Q(stripe_customer_id__in=customer_ids)).delete()


def _gone_ok(call, object_id: str) -> None:
    try:
        call(object_id)
    except gateway.BillingRejected as exc:
        if not gateway.is_missing(exc):
            raise
