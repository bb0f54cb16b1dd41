"""The organisation's one Stripe customer."""

from __future__ import annotations

from django.db import transaction
from djstripe.models import Customer as StripeCustomer

from billing import gateway
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
