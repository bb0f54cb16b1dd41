"""Stripe's webhook endpoint: verify the signature, store the event in one INSERT, wake the worker.

Stripe waits a few seconds for an answer and retries for days, so the request does only what
must happen before the 200: the signature check (HMAC with the endpoint's secret, refused when
its time is further than the endpoint's tolerance from now, in the past or the future) and storing the event as a verified dj-stripe ``WebhookEventTrigger``. Applying it is the
worker's job (``billing.tasks``), in arrival order. Once the row is stored the answer is 200 even
if the broker is down: the worker's sweep finds the row later.
"""

from __future__ import annotations

import json
import logging
import time

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.common import no_append_slash
from django.views.decorators.csrf import csrf_exempt
from djstripe.models import WebhookEndpoint, WebhookEventTrigger

from billing import gateway
from billing.tasks import webhooks_wake

logger = logging.getLogger(__name__)


ENDPOINT_CACHE_SECONDS = 60
_endpoints: dict[str, tuple[float, dict | None]] = {}  # per process: uuid -> (read at, row or None)


def _endpoint(uuid, *, fresh: bool = False) -> dict | None:
    """Return the endpoint's id, secret, tolerance and account, read at most once a minute per process."""
    key = str(uuid)
    read_at, row = _endpoints.get(key, (0.0, None))
    if fresh or time.monotonic() - read_at > ENDPOINT_CACHE_SECONDS:
        row = (WebhookEndpoint.objects.filter(djstripe_uuid=uuid)
               .values("id", "secret", "djstripe_tolerance", "djstripe_owner_account_id").first())
        _endpoints[key] = (time.monotonic(), row)
    return row


def _signed(request, uuid) -> dict | None:
    """Return the endpoint if the Stripe-Signature header signs the body with its secret, else None.

    A failure with the cached secret is checked once more against the stored one, so a rolled
    secret is honoured at once.
    """
    header = request.headers.get("Stripe-Signature", "")
    for fresh in (False, True):
        endpoint = _endpoint(uuid, fresh=fresh)
        if endpoint and gateway.webhook_signature_valid(request.body, header, endpoint["secret"],
                                                        endpoint["djstripe_tolerance"]):
            return endpoint
    return None


def _refused(field: str, detail: str, status: int = 400) -> JsonResponse:
    """Answer as our API does: a JSON body naming what was wrong (the header, the body, the endpoint)."""
    logger.warning("Stripe webhook refused: %s: %s", field, detail)
    return JsonResponse({field: [detail]} if status == 400 else {"detail": detail}, status=status)


@method_decorator([csrf_exempt, transaction.non_atomic_requests], name="dispatch")
class StripeWebhookView(View):
    """Answer 400 with the reason for an unsigned, forged, stale or malformed event; else store it and 200."""

    http_method_names = ["post"]

    @classmethod
    def as_view(cls, **initkwargs):
        # Stripe posts to the URL as registered; one without its slash is a 404, not CommonMiddleware's
        # redirect (which cannot carry a POST and, under DEBUG, raises instead).
        return no_append_slash(super().as_view(**initkwargs))

    def post(self, request, uuid):
        if not request.headers.get("Stripe-Signature"):
            return _refused("Stripe-Signature", "This header is required.")
        endpoint = _signed(request, uuid)
        if endpoint is None:
            if _endpoint(uuid) is None:
                return _refused("endpoint", "Unknown webhook endpoint.", status=404)
            return _refused("Stripe-Signature", "It does not sign this body with the endpoint's secret, or its time is "
                                                "not within the tolerance of now.")
        try:
            event = json.loads(request.body)
        except ValueError:
            return _refused("body", "This is not JSON.")
        if not isinstance(event, dict) or "id" not in event or "livemode" not in event:
            return _refused("body", "This is not a Stripe event (it has no id or livemode).")
        try:
            trigger = WebhookEventTrigger.objects.create(
                headers=dict(request.headers), body=request.body.decode("utf-8"), valid=True,
                remote_ip=request.META.get("REMOTE_ADDR") or "0.0.0.0", webhook_endpoint_id=endpoint["id"],
                stripe_trigger_account_id=endpoint["djstripe_owner_account_id"],
            )
        except IntegrityError:  # the endpoint was deleted since we read it
            _endpoints.pop(str(uuid), None)
            return _refused("endpoint", "Unknown webhook endpoint.", status=404)
        transaction.on_commit(webhooks_wake)
        return HttpResponse(str(trigger.pk))
