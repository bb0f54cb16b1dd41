"""Sign and post webhook events the way Stripe does (``Stripe-Signature: t=<time>,v1=<hmac>``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Return the Stripe-Signature header for the payload, signed now unless ``timestamp`` is given."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signed}"


def deliver(url: str, event: dict, secret: str, *, timestamp: int | None = None,
            session: requests.Session | None = None, headers: dict | None = None) -> requests.Response:
    """POST the event to ``url`` over HTTP, signed with ``secret``; return the response."""
    payload = json.dumps(event).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature_header(payload, secret, timestamp),
               **(headers or {})}
    return (session or requests).post(url, data=payload, headers=headers, timeout=30)
