"""Our webhook endpoint at Stripe: the events it subscribes to, registered once."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.urls import reverse
from djstripe.models import WebhookEndpoint

from billing import gateway

HANDLED_EVENTS = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "customer.discount.created",
    "customer.discount.updated",
    "customer.discount.deleted",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
]
# dj-stripe keeps its own copies (invoice history) up to date from these as well.
SUBSCRIBED_EVENTS = [*HANDLED_EVENTS, "invoice.created", "invoice.finalized", "customer.updated"]


@transaction.atomic
def stripe_webhook_setup(*, base_url: str) -> tuple[WebhookEndpoint, bool]:
    """Register dj-stripe's endpoint on the public host with Stripe, once; return it and whether it is new."""
    prefix = base_url.rstrip("/") + "/stripe/webhook/"
    existing = WebhookEndpoint.objects.filter(url__startswith=prefix).first()
    if existing is not None:
        return existing, False
    token = uuid.uuid4()
    path = reverse("djstripe:djstripe_webhook_by_uuid", kwargs={"uuid": token}, urlconf="unison.urls_public")
    data = gateway.webhook_endpoint_create(url=base_url.rstrip("/") + path, events=SUBSCRIBED_EVENTS,
                                           metadata={"djstripe_uuid": str(token)})
    return WebhookEndpoint.sync_from_stripe_data(data, api_key=gateway.api_key()), True
