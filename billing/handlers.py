"""dj-stripe receivers: thin adapters from Stripe events to ``billing.services``.

dj-stripe verifies the signature, stores the event once (a repeat of a processed event id
is not handled again) and runs these inside the same transaction as its own sync.
"""

from __future__ import annotations

from django.dispatch import receiver
from djstripe import signals
from djstripe.event_handlers import djstripe_receiver

from billing import gateway
from billing.services import HANDLED_EVENTS, billing_event_apply


@djstripe_receiver(HANDLED_EVENTS)
def on_stripe_event(sender, event, **kwargs):
    """Apply the event to its organisation (see ``billing_event_apply``)."""
    billing_event_apply(event_id=event.id, event_type=event.type, data=event.data["object"])


@receiver(signals.webhook_pre_validate)  # sent by WebhookEventTrigger and our queued proxy
def before_validation(sender, instance, **kwargs):
    """Point Stripe calls at our API base, and drop dj-stripe's DEBUG-only secret override header.

    With DEBUG on, dj-stripe would accept any secret sent in ``X-Djstripe-Webhook-Secret``:
    a forged event could then sign itself.
    """
    gateway.configure()
    instance.headers = {k: v for k, v in instance.headers.items() if k.lower() != "x-djstripe-webhook-secret"}
