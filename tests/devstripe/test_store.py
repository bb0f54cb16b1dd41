"""``python -m devstripe --store PATH`` keeps what was made across a restart; without it nothing is kept.

Real: two devstripe server processes one after the other on the same file, localstripe's signed
webhook delivery to a plain HTTP server.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
import requests

from devstripe.process import API_KEY, StripeServer

pytestmark = pytest.mark.stripe


def delivered(unison, path: str, object_id: str, timeout: float = 10) -> dict:
    """Wait for the webhook event about ``object_id`` posted to ``path`` and return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in unison.events(path):
            if event["data"]["object"]["id"] == object_id:
                return event
        time.sleep(0.1)
    pytest.fail(f"No event about {object_id} reached {path}")


def signed_with(event: dict, secret: str) -> bool:
    parts = dict(part.split("=", 1) for part in event["_signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + event["_body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_the_store_keeps_customers_and_webhook_endpoints_across_a_restart(tmp_path, unison):
    path = tmp_path / "devdata" / "devstripe.pickle"  # the folder does not exist yet
    first = StripeServer(args=("--store", str(path)))
    try:
        customer = first.call("POST", "/v1/customers", email="kept@acme.example.com")
        endpoint = first.call("POST", "/v1/webhook_endpoints", url=f"{unison.url}/hook", **{"enabled_events[]": "*"})
    finally:
        first.stop()
    assert path.is_file()

    second = StripeServer(args=("--store", str(path)))
    try:
        assert second.call("GET", f"/v1/customers/{customer['id']}")["email"] == "kept@acme.example.com"
        assert second.call("GET", f"/v1/webhook_endpoints/{endpoint['id']}")["secret"] == endpoint["secret"]
        later = second.call("POST", "/v1/customers", email="later@acme.example.com")
        event = delivered(unison, "/hook", later["id"])  # still registered for delivery after the restart
        assert event["type"] == "customer.created"
        assert signed_with(event, endpoint["secret"])
    finally:
        second.stop()


def test_without_a_store_a_new_server_starts_empty(stripe):
    customer = stripe.call("POST", "/v1/customers", email="gone@acme.example.com")
    fresh = StripeServer()
    try:
        response = requests.get(f"{fresh.url}/v1/customers/{customer['id']}", auth=(API_KEY, ""), timeout=10)
        assert response.status_code == 404
    finally:
        fresh.stop()
