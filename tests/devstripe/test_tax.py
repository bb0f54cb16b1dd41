"""Stripe Tax in the local Stripe: the Checkout page's address and tax ID, fixed-rate tax on invoices, tax IDs.

Real: the devstripe server process over HTTP, Debian's Chromium (Playwright) for the page. Emulated by
devstripe (devstripe/tax.py): Stripe Tax's rates (IN 18 % GST, DE 19 %, FR 20 % VAT, reverse charge for an
EU business, US 0 %). Screenshots at 390 and 1440 px: test-output/screenshots/devstripe-checkout-tax-*.png.
"""

from __future__ import annotations

import pytest
import requests

from devstripe.process import API_KEY, GOOD_CARD
from tests.e2e import conftest as e2e

pytestmark = [pytest.mark.stripe]
TAXED = {"automatic_tax[enabled]": "true", "tax_id_collection[enabled]": "true",
         "billing_address_collection": "required", "customer_update[address]": "auto",
         "customer_update[name]": "auto"}
ADDRESS = {"line1": "1 MG Road", "city": "Pune", "postal_code": "411001"}


@pytest.fixture
def taxed_checkout(stripe, prices, customer, unison):
    """Open a Checkout Session for Starter monthly with Stripe Tax on, as Unison opens it."""
    return stripe.call("POST", "/v1/checkout/sessions", mode="subscription", customer=customer,
                       success_url=f"{unison.url}/billing/?checkout=success", **TAXED,
                       **{"line_items[0][price]": prices["starter_monthly"], "line_items[0][quantity]": "1"})


def _pay(session: dict, **form) -> requests.Response:
    return requests.post(session["url"] + "/pay", data={"card_number": GOOD_CARD, **ADDRESS, **form},
                         allow_redirects=False, timeout=10)


def _first_invoice(stripe, session: dict) -> dict:
    done = stripe.call("GET", f"/v1/checkout/sessions/{session['id']}")
    sub = stripe.call("GET", f"/v1/subscriptions/{done['subscription']}")
    return stripe.call("GET", f"/v1/invoices/{sub['latest_invoice']}")


@pytest.mark.e2e
def test_the_page_refuses_a_bad_gstin_next_to_its_field_keeping_what_was_typed_then_bills_18_percent_gst(
        stripe, taxed_checkout, customer, page):
    page.goto(taxed_checkout["url"])
    page.select_option("#country", "IN")
    page.fill("#line1", ADDRESS["line1"])
    page.fill("#city", ADDRESS["city"])
    page.fill("#postal_code", ADDRESS["postal_code"])
    page.fill("#tax_id", "27AAPFU0939F1Z")
    page.fill("#card_number", "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()

    assert page.locator("#tax_id-error").inner_text() == "A GSTIN has 15 characters, like 27AAPFU0939F1ZV."
    assert page.locator("#tax_id").get_attribute("aria-invalid") == "true"
    assert page.locator("#tax_id").input_value() == "27AAPFU0939F1Z"
    assert page.locator("#city").input_value() == "Pune" and page.locator("#country").input_value() == "IN"
    assert page.get_by_test_id("tax-note").is_visible()
    untouched = stripe.call("GET", f"/v1/customers/{customer}")
    assert untouched["address"] is None and untouched["tax_ids"]["data"] == []
    assert stripe.call("GET", f"/v1/checkout/sessions/{taxed_checkout['id']}")["status"] == "open"
    e2e.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(e2e.SCREENSHOTS / f"devstripe-checkout-tax-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.fill("#tax_id", "27AAPFU0939F1ZV")
    page.fill("#card_number", "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(taxed_checkout["success_url"])

    invoice = _first_invoice(stripe, taxed_checkout)
    assert (invoice["subtotal"], invoice["tax"], invoice["total"], invoice["status"]) == (4900, 882, 5782, "paid")
    assert [t["amount"] for t in invoice["total_taxes"]] == [882]
    assert [t["amount"] for t in invoice["lines"]["data"][0]["taxes"]] == [882]
    assert invoice["customer_tax_ids"] == [{"type": "in_gst", "value": "27AAPFU0939F1ZV"}]
    saved = stripe.call("GET", f"/v1/customers/{customer}")
    assert saved["address"]["country"] == "IN" and saved["address"]["city"] == "Pune"
    page.goto(invoice["hosted_invoice_url"])
    tax_line = page.get_by_test_id("tax").inner_text()
    assert "Tax (GST 18 %)" in tax_line and "$8.82" in tax_line
    assert page.get_by_test_id("invoice-total").inner_text() == "$57.82"


@pytest.mark.parametrize(("country", "tax_id", "tax", "reason"), [
    ("DE", "", 931, "standard_rated"),  # a consumer in Germany: 19 % VAT
    ("FR", "", 980, "standard_rated"),
    ("DE", "DE123456789", 0, "reverse_charge"),  # an EU business, the seller in the US: reverse charge
    ("US", "", 0, "not_collecting"),
])
def test_eu_vat_reverse_charge_and_no_tax_where_none_is_collected(stripe, taxed_checkout, country, tax_id, tax,
                                                                   reason):
    assert _pay(taxed_checkout, country=country, tax_id=tax_id).status_code == 303

    invoice = _first_invoice(stripe, taxed_checkout)
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (4900, tax, 4900 + tax)
    assert [(t["amount"], t["taxability_reason"]) for t in invoice["total_taxes"]] == [(tax, reason)]


@pytest.mark.parametrize(("country", "tax_id", "message"), [
    ("DE", "FR123456789", "An EU VAT number starts with the country code DE"),
    ("DE", "DE12345", "An EU VAT number starts with the country code DE"),
    ("IN", "27AAPFU0939F1XV", "A GSTIN has 15 characters"),  # the 14th character must be Z
    ("US", "123456789", "Tax IDs are taken for India (GSTIN) and EU countries (VAT number) only"),
])
def test_a_malformed_tax_id_is_refused_on_the_page_and_nothing_is_saved(stripe, taxed_checkout, customer, country,
                                                                       tax_id, message):
    response = _pay(taxed_checkout, country=country, tax_id=tax_id)

    assert response.status_code == 422 and message in response.text
    assert f'value="{tax_id}"' in response.text
    untouched = stripe.call("GET", f"/v1/customers/{customer}")
    assert untouched["address"] is None and untouched["tax_ids"]["data"] == []


def test_the_api_refuses_a_malformed_tax_id_naming_value_and_takes_a_good_one(stripe, customer):
    url = f"{stripe.url}/v1/customers/{customer}/tax_ids"

    bad = requests.post(url, data={"type": "eu_vat", "value": "DE12"}, auth=(API_KEY, ""), timeout=10)
    good = requests.post(url, data={"type": "in_gst", "value": "27AAPFU0939F1ZV"}, auth=(API_KEY, ""), timeout=10)

    assert bad.status_code == 400 and bad.json()["error"]["param"] == "value"
    assert good.status_code == 200 and good.json()["country"] == "IN"
    listed = stripe.call("GET", f"/v1/customers/{customer}")["tax_ids"]["data"]
    assert [(t["type"], t["value"]) for t in listed] == [("in_gst", "27AAPFU0939F1ZV")]
