"""Our webhook endpoint's answers to bad input, in the test client against localstripe's endpoint record.

Nothing is stored for a refused request, and each refusal names what was wrong.
"""

from __future__ import annotations

import json
import time

import pytest
from django.test import override_settings
from djstripe.models import WebhookEndpoint, WebhookEventTrigger

from billing.services import stripe_webhook_setup
from devstripe.delivery import signature_header

pytestmark = pytest.mark.stripe
EVENT = {"id": "evt_test_endpoint", "object": "event", "livemode": False, "type": "customer.updated",
         "data": {"object": {"id": "cus_unknown", "object": "customer"}}}


@pytest.fixture
def endpoint(db, stripe_server):
    endpoint, _ = stripe_webhook_setup(base_url="http://localhost")
    yield endpoint
    stripe_server.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")


def post(client, endpoint, body: bytes, secret: str | None = None, uuid=None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature_header(body, secret)} if secret else {}
    return client.post(f"/stripe/webhook/{uuid or endpoint.djstripe_uuid}/", body, content_type="application/json",
                       **headers)


def test_a_signed_event_is_stored_verified_and_answered_with_its_row(public_client, endpoint):
    response = post(public_client, endpoint, json.dumps(EVENT).encode(), endpoint.secret)

    assert response.status_code == 200
    trigger = WebhookEventTrigger.objects.get(pk=int(response.content))
    assert (trigger.valid, trigger.processed, trigger.json_body["id"]) == (True, False, EVENT["id"])
    assert trigger.webhook_endpoint_id == endpoint.id


@pytest.mark.parametrize(("body", "signed", "field"), [
    (json.dumps(EVENT).encode(), False, "Stripe-Signature"),
    (b"not json at all", True, "body"),
    (json.dumps({"object": "event"}).encode(), True, "body"),
    (json.dumps([1, 2]).encode(), True, "body"),
])
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(public_client, endpoint, body, signed, field):
    response = post(public_client, endpoint, body, endpoint.secret if signed else None)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not WebhookEventTrigger.objects.exists()


def test_an_unknown_endpoint_is_a_404(public_client, endpoint):
    import uuid

    response = post(public_client, endpoint, json.dumps(EVENT).encode(), endpoint.secret, uuid=uuid.uuid4())

    assert response.status_code == 404
    assert "endpoint" in response.json()["detail"].lower()


@pytest.mark.django_db(transaction=True)  # the trigger's foreign key to its endpoint is checked at commit
def test_a_rolled_secret_signs_at_once_and_a_deleted_endpoint_is_a_404_not_a_500(public_client, endpoint):
    body = json.dumps(EVENT).encode()
    assert post(public_client, endpoint, body, endpoint.secret).status_code == 200  # the secret is now cached

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret="whsec_rolled_secret_for_the_test")
    assert post(public_client, endpoint, body, "whsec_rolled_secret_for_the_test").status_code == 200

    WebhookEventTrigger.objects.all().delete()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    assert post(public_client, endpoint, body, "whsec_rolled_secret_for_the_test").status_code == 404
    assert not WebhookEventTrigger.objects.exists()


def test_a_tenant_host_has_no_webhook_endpoint(endpoint, organization):
    from tests.conftest import client_for

    response = post(client_for(organization), endpoint, json.dumps(EVENT).encode(), endpoint.secret)

    assert response.status_code == 404
    assert not WebhookEventTrigger.objects.exists()


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_signature_dated_past_the_tolerance_either_way_is_refused(public_client, endpoint, offset):
    body = json.dumps(EVENT).encode()
    signed_at = int(time.time()) + offset * (endpoint.djstripe_tolerance + 60)
    response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}/", body, content_type="application/json",
                                  HTTP_STRIPE_SIGNATURE=signature_header(body, endpoint.secret, signed_at))

    assert response.status_code == 400 and list(response.json()) == ["Stripe-Signature"]
    assert not WebhookEventTrigger.objects.exists()


def test_a_signature_a_minute_ahead_is_clock_drift_and_accepted(public_client, endpoint):
    body = json.dumps(EVENT).encode()
    response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}/", body, content_type="application/json",
                                  HTTP_STRIPE_SIGNATURE=signature_header(body, endpoint.secret, int(time.time()) + 60))

    assert response.status_code == 200


@pytest.mark.parametrize("header", ["t=soon,v1=abc", "v1=abc", "t=1,t=2,v1=abc"])
def test_a_signature_without_one_integer_time_is_refused(public_client, endpoint, header):
    response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}/", json.dumps(EVENT).encode(),
                                  content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    assert response.status_code == 400 and list(response.json()) == ["Stripe-Signature"]


@override_settings(DEBUG=True)
def test_a_post_without_the_trailing_slash_is_a_404_even_under_debug(public_client, endpoint):
    body = json.dumps(EVENT).encode()
    response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}", body, content_type="application/json",
                                  HTTP_STRIPE_SIGNATURE=signature_header(body, endpoint.secret))

    assert response.status_code == 404
    assert not WebhookEventTrigger.objects.exists()
