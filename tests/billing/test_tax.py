"""Stripe Tax: checkout collects the address and tax ID, invoices are taxed, our mirror equals Stripe's.

Real: PostgreSQL, the billing pages and API, billing's gateway, localstripe over HTTP, the stand-in's Checkout
page (a form post, as the browser sends it), signed webhooks into the live server (held, then delivered by the
test: every event twice, newest first). Emulated by devstripe (devstripe/tax.py): Stripe Tax's fixed rates by
country (IN 18 % GST, DE 19 % VAT, US 0 %) and reverse charge for an EU business.
"""

from __future__ import annotations

import re

import pytest
import requests
from djstripe.models import Customer as StripeCustomer
from djstripe.models import Invoice

from billing import selectors
from billing.services import stripe_webhook_setup
from devstripe.delivery import deliver
from devstripe.process import GOOD_CARD
from subscriptions.models import Subscription
from tests.billing.conftest import webhook_url
from tests.conftest import client_for
from tests.e2e import conftest as e2e

# The shared browser harness (live server on tenant hosts, Debian's Chromium, signed-in pages).
browser, site, page, sign_in = e2e.browser, e2e.site, e2e.page, e2e.sign_in

pytestmark = pytest.mark.stripe
INDIA = {"country": "IN", "line1": "1 MG Road", "city": "Pune", "postal_code": "411001"}
TAXED = ("subtotal", "tax", "total", "amount_paid", "status", "total_taxes")


def _checkout_url(client) -> str:
    response = client.post("/api/v1/billing/checkout", {"tier": "starter", "billing_cycle": "monthly"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["url"]


def _stripe_customer(stripe, organization) -> dict:
    customer_id = Subscription.objects.get(organization=organization).stripe_customer_id
    return stripe.call("GET", f"/v1/customers/{customer_id}")


@pytest.fixture
def held(transactional_db, live_server, stripe_catalog, settings):
    """Our webhook endpoint on the live server, Stripe's deliveries held back for the test to make."""
    settings.UNISON_PORT = str(live_server.thread.port)
    endpoint, _ = stripe_webhook_setup(base_url=live_server.url)
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="true")
    try:
        yield endpoint
    finally:
        stripe_catalog.call("POST", "/_test/webhooks/hold", on="false")
        stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")


def test_checkout_with_a_gstin_bills_18_percent_gst_and_our_mirror_equals_stripe_after_doubled_late_webhooks(
        held, stripe_catalog, live_server, organization, owner):
    stripe = stripe_catalog
    url = _checkout_url(client_for(organization, owner))
    session = stripe.call("GET", f"/v1/checkout/sessions/{url.rsplit('/', 1)[1]}")
    assert session["automatic_tax"]["enabled"] is True and session["tax_id_collection"]["enabled"] is True
    assert session["billing_address_collection"] == "required"
    assert session["customer_update"] == {"address": "auto", "name": "auto"}

    paid = requests.post(url + "/pay", data={**INDIA, "tax_id": "27AAPFU0939F1ZV", "card_number": GOOD_CARD},
                         allow_redirects=False, timeout=10)
    assert paid.status_code == 303, paid.text
    sub_id = stripe.call("GET", f"/v1/checkout/sessions/{session['id']}")["subscription"]
    stripe.call("POST", f"/_test/subscriptions/{sub_id}/renew")  # the trial ends: Stripe bills Starter with GST
    events = stripe.call("POST", "/_test/webhooks/take")["data"]
    for event in [*reversed(events), *reversed(events)]:  # newest first, then all of them again
        assert deliver(webhook_url(live_server, held), event, held.secret).status_code == 200

    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.tier, subscription.status) == ("starter", "active")
    invoices = stripe.call("GET", f"/v1/invoices?customer={subscription.stripe_customer_id}")["data"]
    taxed = next(i for i in invoices if i["subtotal"])
    assert (taxed["subtotal"], taxed["tax"], taxed["total"], taxed["status"]) == (4900, 882, 5782, "paid")
    mirrored = {i.id: i.stripe_data for i in Invoice.objects.filter(customer_id=subscription.stripe_customer_id)}
    assert set(mirrored) == {i["id"] for i in invoices}
    for invoice in invoices:
        assert {k: mirrored[invoice["id"]].get(k) for k in TAXED} == {k: invoice.get(k) for k in TAXED}
    summary = selectors.invoice_summary(Invoice.objects.get(id=taxed["id"]))
    assert (summary["amount_cents"], summary["tax_cents"]) == (5782, 882)
    customer = StripeCustomer.objects.get(id=subscription.stripe_customer_id).stripe_data
    assert customer["address"]["country"] == "IN"
    assert [t["value"] for t in customer["tax_ids"]["data"]] == ["27AAPFU0939F1ZV"]
    page = client_for(organization, owner).get("/billing/").content.decode()
    assert re.search(r'data-testid="invoice-tax">incl\. \$8\.82 tax<', page)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("tax_id", "27AAPFU0939F1Z", "A GSTIN has 15 characters"),
    ("tax_id", "DE123456789", "A GSTIN has 15 characters"),  # a VAT number, but the address is in India
    ("country", "XX", "Select a valid choice"),
    ("postal_code", "", "This field is required"),
])
def test_a_bad_billing_detail_is_refused_next_to_its_field_and_nothing_changes_in_stripe(
        stripe_catalog, organization, owner, field, value, message):
    client = client_for(organization, owner)
    client.post("/billing/tax-details/", {**INDIA, "line1": "Old Street 1"})  # what Stripe has before
    before = _stripe_customer(stripe_catalog, organization)

    response = client.post("/billing/tax-details/", {**INDIA, "tax_id": "", field: value})

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</ul>', page, re.S)
    assert error and message in error.group(1), page
    if field == "tax_id":  # what was typed is kept
        assert re.search(rf'<input[^>]*name="tax_id"[^>]*value="{value}"', page), page
    after = _stripe_customer(stripe_catalog, organization)
    assert (after["address"], after["tax_ids"]["data"]) == (before["address"], before["tax_ids"]["data"])
    assert after["address"]["line1"] == "Old Street 1"


def test_the_owner_sets_a_vat_number_and_a_new_one_replaces_it_in_stripe_and_in_our_mirror(
        stripe_catalog, organization, owner):
    client = client_for(organization, owner)
    germany = {"country": "DE", "line1": "Hauptstraße 1", "city": "Berlin", "postal_code": "10115"}

    assert client.post("/billing/tax-details/", {**germany, "tax_id": "de 123 456 789"}).status_code == 302
    assert client.post("/billing/tax-details/", {**germany, "tax_id": "DE987654321"}).status_code == 302

    customer = _stripe_customer(stripe_catalog, organization)
    assert customer["address"]["city"] == "Berlin"
    assert [(t["type"], t["value"]) for t in customer["tax_ids"]["data"]] == [("eu_vat", "DE987654321")]
    mirror = StripeCustomer.objects.get(id=customer["id"]).stripe_data
    assert mirror["address"] == customer["address"]
    assert [t["value"] for t in mirror["tax_ids"]["data"]] == ["DE987654321"]
    page = client.get("/billing/").content.decode()
    assert "Hauptstraße 1, Berlin 10115, DE · EU_VAT DE987654321" in page


@pytest.mark.parametrize(("details", "shown"), [
    (INDIA, "Tax (GST 18 %)"),
    ({"country": "US", "line1": "1 Main St", "city": "Springfield", "postal_code": "12345"}, None),
])
def test_the_preview_shows_the_tax_for_a_taxed_customer_and_none_at_0_percent(stripe_catalog, organization, owner,
                                                                              details, shown):
    client = client_for(organization, owner)
    assert client.post("/billing/tax-details/", details).status_code == 302

    page = client.post("/billing/plan/", {"tier": "enterprise", "billing_cycle": "monthly"}).content.decode()
    api = client.post("/api/v1/billing/preview", {"tier": "enterprise", "billing_cycle": "monthly"},
                      content_type="application/json").json()

    charged = re.search(r'data-testid="charged-today">([^<]+)<', page).group(1)
    if shown:
        assert re.search(r"<td>Tax \(GST 18 %\)</td><td[^>]*>\$179\.82<", page), page
        assert charged == "$1,178.82"
        assert (api["tax_cents"], api["tax_label"], api["due_today_cents"]) == (17982, "GST 18 %", 117882)
    else:
        assert "Tax (" not in page and charged == "$999"
        assert (api["tax_cents"], api["tax_label"], api["due_today_cents"]) == (0, "", 99900)


def test_a_member_and_another_workspaces_user_cannot_change_the_billing_details(
        stripe_catalog, organization, owner, teammate, outsider, other_organization):
    client_for(organization, owner).post("/billing/tax-details/", INDIA)
    before = _stripe_customer(stripe_catalog, organization)
    member = client_for(organization, teammate)
    stranger = client_for(other_organization, outsider)
    stranger.defaults["HTTP_HOST"] = organization.host  # the outsider's session, on the victim's host

    assert member.post("/billing/tax-details/", {**INDIA, "city": "Mumbai"}).status_code == 403
    assert "1 MG Road" not in member.get("/billing/").content.decode()
    answer = stranger.post("/billing/tax-details/", {**INDIA, "city": "Mumbai"})
    assert answer.status_code in (302, 403)
    assert "1 MG Road" not in stranger.get("/billing/").content.decode()
    assert _stripe_customer(stripe_catalog, organization)["address"] == before["address"]


@pytest.mark.e2e
def test_the_billing_page_shows_the_billing_details_and_a_taxed_invoice_in_chromium(
        held, stripe_catalog, live_server, site, page, sign_in, organization, owner):
    from tests.billing.test_page_browser import _shots

    url = _checkout_url(client_for(organization, owner))
    requests.post(url + "/pay", data={**INDIA, "tax_id": "27AAPFU0939F1ZV", "card_number": GOOD_CARD}, timeout=10,
                  allow_redirects=False)
    sub_id = stripe_catalog.call("GET", f"/v1/checkout/sessions/{url.rsplit('/', 1)[1]}")["subscription"]
    stripe_catalog.call("POST", f"/_test/subscriptions/{sub_id}/renew")
    for event in stripe_catalog.call("POST", "/_test/webhooks/take")["data"]:
        deliver(webhook_url(live_server, held), event, held.secret)

    sign_in(page, organization, owner, "/billing/")
    assert page.get_by_test_id("tax-details-now").inner_text() == \
        "Stripe bills 1 MG Road, Pune 411001, IN · IN_GST 27AAPFU0939F1ZV."
    assert page.get_by_test_id("invoice-tax").first.inner_text() == "incl. $8.82 tax"
    page.fill("#id_tax_id", "27AAPFU0939F1Z")
    page.get_by_role("button", name="Save billing details").click()
    assert page.locator("#id_tax_id_error").inner_text() == "A GSTIN has 15 characters, like 27AAPFU0939F1ZV."
    assert page.locator("#id_tax_id").input_value() == "27AAPFU0939F1Z"
    page.locator("#invoices").scroll_into_view_if_needed()
    _shots(page, "tax")


def test_the_api_sets_the_billing_details_and_refuses_a_bad_tax_id_with_a_400_naming_it(
        stripe_catalog, organization, owner, teammate, outsider, other_organization):
    client = client_for(organization, owner)

    def post(who, body):
        return who.post("/api/v1/billing/tax-details", body, content_type="application/json")

    good = post(client, {**INDIA, "tax_id": "27AAPFU0939F1ZV"})
    bad = post(client, {**INDIA, "city": "Mumbai", "tax_id": "27AAPFU0939F1Z"})
    unknown = post(client, {**INDIA, "country": "XX"})
    member = post(client_for(organization, teammate), {**INDIA, "city": "Mumbai"})
    stranger = client_for(other_organization, outsider)
    stranger.defaults["HTTP_HOST"] = organization.host
    foreign = post(stranger, {**INDIA, "city": "Mumbai"})

    assert good.status_code == 200, good.content
    assert good.json()["address"]["city"] == "Pune"
    assert good.json()["tax_ids"] == [{"type": "in_gst", "value": "27AAPFU0939F1ZV"}]
    assert bad.status_code == 400 and bad.json()["tax_id"] == ["A GSTIN has 15 characters, like 27AAPFU0939F1ZV."]
    assert unknown.status_code == 400 and "country" in unknown.json()
    assert member.status_code == 403 and foreign.status_code in (401, 403)
    customer = _stripe_customer(stripe_catalog, organization)
    assert customer["address"]["city"] == "Pune"  # none of the refused calls changed Stripe
    assert [t["value"] for t in customer["tax_ids"]["data"]] == ["27AAPFU0939F1ZV"]


def test_a_discounted_invoice_is_taxed_on_what_is_left_after_the_discount_as_stripe_does(
        held, stripe_catalog, live_server, organization, owner):
    from billing.services.coupons import billing_coupon_create

    stripe = stripe_catalog
    code = billing_coupon_create(name="", code="TAXED20", percent_off=20.0, duration="forever").code
    response = client_for(organization, owner).post(
        "/api/v1/billing/checkout", {"tier": "starter", "billing_cycle": "monthly", "promotion_code": code},
        content_type="application/json")
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    paid = requests.post(url + "/pay", data={**INDIA, "card_number": GOOD_CARD}, allow_redirects=False, timeout=10)
    assert paid.status_code == 303, paid.text
    sub_id = stripe.call("GET", f"/v1/checkout/sessions/{url.rsplit('/', 1)[1]}")["subscription"]
    stripe.call("POST", f"/_test/subscriptions/{sub_id}/renew")
    events = stripe.call("POST", "/_test/webhooks/take")["data"]
    for event in [*reversed(events), *events]:
        assert deliver(webhook_url(live_server, held), event, held.secret).status_code == 200

    customer_id = Subscription.objects.get(organization=organization).stripe_customer_id
    taxed = next(i for i in stripe.call("GET", f"/v1/invoices?customer={customer_id}")["data"] if i["subtotal"])
    discount = sum(d["amount"] for d in taxed["total_discount_amounts"])
    assert (taxed["subtotal"], discount) == (4900, 980)
    assert taxed["tax"] == round((4900 - 980) * 0.18) and taxed["total"] == 4900 - 980 + taxed["tax"]
    assert [t["taxable_amount"] for t in taxed["total_taxes"]] == [3920]
    mirrored = Invoice.objects.get(id=taxed["id"]).stripe_data
    assert {k: mirrored.get(k) for k in TAXED} == {k: taxed.get(k) for k in TAXED}
