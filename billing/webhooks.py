"""Stripe's webhook endpoint: dj-stripe's view, storing events as QueuedWebhookEventTrigger."""

from __future__ import annotations

import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from djstripe.models import WebhookEndpoint
from djstripe.views import ProcessWebhookView

from billing.models import QueuedWebhookEventTrigger

logger = logging.getLogger(__name__)


class StripeWebhookView(ProcessWebhookView):
    """Verify and store a Stripe event (400 if the signature fails), then queue its processing."""

    def post(self, request, uuid):
        if "stripe-signature" not in request.headers:
            logger.error("Stripe webhook without a Stripe-Signature header")
            return HttpResponseBadRequest()
        endpoint = get_object_or_404(WebhookEndpoint, djstripe_uuid=uuid)
        trigger = QueuedWebhookEventTrigger.from_request(request, webhook_endpoint=endpoint)
        if not trigger.valid:
            return HttpResponseBadRequest()
        return HttpResponse(str(trigger.id))
