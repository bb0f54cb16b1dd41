"""Stripe's webhook endpoint: verify the signature, store the event in one INSERT, wake the worker.

Stripe waits a few seconds for an answer and retries for days, so the request does only what
must happen before the 200: the signature check (HMAC with the endpoint's secret, refused when
stale) and storing the event as a verified dj-stripe ``WebhookEventTrigger``. Applying it is the
worker's job (``billing.tasks``), in arrival order. Once the row is stored the answer is 200 even
if the broker is down: the worker's sweep finds the row later.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from djstripe.models import WebhookEndpoint, WebhookEventTrigger

from billing import gateway
from billing.tasks import webhooks_wake

logger = logging.getLogger(__name__)


def _refused(detail: str) -> JsonResponse:
    logger.warning("Stripe webhook refused: %s", detail)
    return JsonResponse({"detail": detail}, status=400)


@method_decorator([csrf_exempt, transaction.non_atomic_requests], name="dispatch")
class StripeWebhookView(View):
    """Answer 400 with the reason for an unsigned, forged, stale or malformed event; else store it and 200."""

    http_method_names = ["post"]

    def post(self, request, uuid):
        endpoint = (WebhookEndpoint.objects.filter(djstripe_uuid=uuid)
                    .values("id", "secret", "djstripe_tolerance", "djstripe_owner_account_id").first())
        if endpoint is None:
            return JsonResponse({"detail": "Unknown webhook endpoint."}, status=404)
        header = request.headers.get("Stripe-Signature", "")
        if not header:
            return _refused("The Stripe-Signature header is missing.")
        if not gateway.webhook_signature_valid(request.body, header, endpoint["secret"],
                                               endpoint["djstripe_tolerance"]):
            return _refused("The Stripe-Signature header does not sign this body, or is too old.")
        try:
            event = json.loads(request.body)
        except ValueError:
            return _refused("The body is not JSON.")
        if not isinstance(event, dict) or "id" not in event or "livemode" not in event:
            return _refused("The body is not a Stripe event (no id or livemode).")
        trigger = WebhookEventTrigger.objects.create(
            headers=dict(request.headers), body=request.body.decode("utf-8"), remote_ip=request.META.get("REMOTE_ADDR") or "0.0.0.0",
            valid=True, webhook_endpoint_id=endpoint["id"],
            stripe_trigger_account_id=endpoint["djstripe_owner_account_id"],
        )
        transaction.on_commit(webhooks_wake)
        return HttpResponse(str(trigger.pk))
