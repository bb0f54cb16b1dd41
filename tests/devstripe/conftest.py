"""Fixtures for the local Stripe's own tests: a server, a small catalog in it, a page to return to, a browser.

Real: ``python -m devstripe`` as a process on 127.0.0.1 (``StripeServer``), Debian's Chromium through
Playwright, and a plain HTTP server standing in for Unison's success, cancel and return pages and
for a webhook receiver. No database is used.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devstripe.process import GOOD_CARD, StripeServer
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.conftest import browser as browser  # noqa: F401 - the session's shared Chromium

BANNER = "Local Stripe stand-in — test mode, no money moves"
# (lookup key, product name, cents, interval)
CATALOG = (
    ("starter_monthly", "Starter", 4900, "month"),
    ("starter_annual", "Starter", 52900, "year"),
    ("professional_monthly", "Professional", 14900, "month"),
    ("professional_annual", "Professional", 160900, "year"),
    ("addon_extra_user_monthly", "Extra user", 1000, "month"),
)


class Unison:
    """A tiny HTTP server for the pages a session returns to; it records every request it gets."""

    def __init__(self):
        self.requests: list[dict] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                received.append({"method": "GET", "path": self.path})
                self._answer(b"<!doctype html><title>Unison</title><h1>Back in Unison</h1>")

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append({"method": "POST", "path": self.path, "body": body,
                                 "signature": self.headers.get("Stripe-Signature")})
                self._answer(b"ok")

            def _answer(self, body: bytes):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, path: str) -> list[dict]:
        """Return the webhook events posted to ``path`` so far."""
        return [json.loads(r["body"]) | {"_signature": r["signature"], "_body": r["body"]}
                for r in self.requests if r["method"] == "POST" and r["path"] == path]


@pytest.fixture(scope="session")
def unison():
    site = Unison()
    yield site
    site.server.shutdown()


@pytest.fixture(scope="session")
def stripe():
    server = StripeServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def prices(stripe) -> dict[str, str]:
    """Create the catalog's products and prices once; return the price ids by lookup key."""
    products, ids = {}, {}
    for key, name, cents, interval in CATALOG:
        if name not in products:
            products[name] = stripe.call("POST", "/v1/products", name=name)["id"]
        ids[key] = stripe.call("POST", "/v1/prices", product=products[name], currency="usd", unit_amount=cents,
                               lookup_key=key, transfer_lookup_key="true", **{"recurring[interval]": interval})["id"]
    return ids


@pytest.fixture
def customer(stripe) -> str:
    return stripe.call("POST", "/v1/customers", email="owner@acme.example.com", name="Acme Works")["id"]


@pytest.fixture
def checkout(stripe, prices, customer, unison):
    """Return a function that opens a Checkout Session for ``customer`` and returns it."""

    def open_session(*items: tuple[str, int], trial_days: int | None = None) -> dict:
        data = {"mode": "subscription", "customer": customer, "success_url": f"{unison.url}/billing/?checkout=success",
                "cancel_url": f"{unison.url}/billing/?checkout=cancelled"}
        for n, (key, quantity) in enumerate(items or (("starter_monthly", 1),)):
            data[f"line_items[{n}][price]"] = prices[key]
            data[f"line_items[{n}][quantity]"] = str(quantity)
        if trial_days:
            data["subscription_data[trial_end]"] = str(int(time.time()) + trial_days * 86400)
        return stripe.call("POST", "/v1/checkout/sessions", **data)

    return open_session


@pytest.fixture
def subscribed(stripe, checkout):
    """Return a paid subscription on Starter monthly for ``customer`` (checkout completed by the API route)."""
    session = checkout(("starter_monthly", 1))
    session = stripe.call("POST", f"/_test/checkout/{session['id']}/complete", card=GOOD_CARD)
    return stripe.call("GET", f"/v1/subscriptions/{session['subscription']}")


@pytest.fixture
def portal(stripe, customer, unison) -> dict:
    return stripe.call("POST", "/v1/billing_portal/sessions", customer=customer, return_url=f"{unison.url}/billing/")


@pytest.fixture
def page(browser):  # noqa: F811 - the fixture imported above
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def event_types(stripe, customer: str) -> list[str]:
    return [e["type"] for e in stripe.call("GET", f"/_test/customers/{customer}/events")["data"]]


def subscriptions_of(stripe, customer: str) -> list[dict]:
    return stripe.call("GET", f"/v1/subscriptions?customer={customer}&status=all")["data"]
