"""The billing address and tax ID Stripe Tax bills by: set here by the owner, or by Stripe Checkout.

Stripe keeps them on the customer; dj-stripe's Customer row mirrors it (``customer.updated``, and at
once after a change here). One tax ID a customer: a new one replaces the old.
"""

from __future__ import annotations

from djstripe.models import Customer as StripeCustomer

from billing import gateway
from billing.services.customers import billing_customer_ensure
from billing.tax_ids import COUNTRIES, tax_id_normalize, tax_id_problem, tax_id_type
from tenants.models import Organization
from unison.errors import ApplicationError

ADDRESS_FIELDS = ("country", "line1", "city", "postal_code")


def tax_details_check(*, country: str, line1: str, city: str, postal_code: str, tax_id: str = "") -> dict:
    """Return the address and tax ID as Stripe stores them; raise ApplicationError naming the first bad field."""
    address = {"country": (country or "").strip().upper(), "line1": (line1 or "").strip(),
               "city": (city or "").strip(), "postal_code": (postal_code or "").strip()}
    if address["country"] not in COUNTRIES:
        raise ApplicationError(f"Choose a country: {', '.join(COUNTRIES)}.", code="invalid_country", field="country")
    for field, label in (("line1", "address"), ("city", "city"), ("postal_code", "postal code")):
        if not address[field] or len(address[field]) > 200:
            raise ApplicationError(f"Enter your {label} (up to 200 characters).", code="required", field=field)
    tax_id = tax_id_normalize(tax_id)
    problem = tax_id_problem(address["country"], tax_id) if tax_id else None
    if problem:
        raise ApplicationError(problem, code="invalid_tax_id", field="tax_id")
    return {"address": address, "tax_id": tax_id}


def billing_tax_details_set(*, organization: Organization, country: str, line1: str, city: str,
                            postal_code: str, tax_id: str = "") -> dict:
    """Set the customer's billing address and tax ID in Stripe (empty: none) and return them as Stripe has them.

    Everything is checked before the first call; the tax ID goes first (Stripe may still refuse it,
    leaving all as it was), the address next, and a replaced tax ID is removed last.
    """
    wanted = tax_details_check(country=country, line1=line1, city=city, postal_code=postal_code, tax_id=tax_id)
    customer_id = billing_customer_ensure(organization=organization)
    before = gateway.customer_billing_details(customer_id)
    kept = [t for t in before["tax_ids"] if t["value"] == wanted["tax_id"]]
    created = None
    if wanted["tax_id"] and not kept:
        created = gateway.customer_tax_id_create(customer_id, type=tax_id_type(wanted["address"]["country"]),
                                                 value=wanted["tax_id"])
    try:
        gateway.customer_address_update(customer_id, address={**wanted["address"], "line2": "",
                                                                         "state": ""})
    except gateway.BillingError:
        if created:
            gateway.customer_tax_id_delete(customer_id, created["id"])
        raise
    for old in before["tax_ids"]:
        if old not in kept:
            gateway.customer_tax_id_delete(customer_id, old["id"])
    StripeCustomer.sync_from_stripe_data(gateway.customer_retrieve(customer_id), api_key=gateway.api_key())
    return gateway.customer_billing_details(customer_id)


def invoice_tax(invoice: dict) -> dict:
    """Return the tax of a Stripe invoice (or preview): ``tax_cents``, ``tax_label`` ("GST 18 %"; "" without
    tax) and ``reverse_charge`` (an EU business's VAT, 0 % here)."""
    taxes = invoice.get("total_taxes")
    if taxes is None:  # API versions before 2025-03-31.basil
        taxes = [{"amount": t.get("amount"), "taxability_reason": t.get("taxability_reason"),
                  "tax_rate_details": {"tax_rate": t.get("tax_rate")}} for t in invoice.get("total_tax_amounts") or []]
    cents = sum(int(t.get("amount") or 0) for t in taxes)
    label = ""
    rate_id = next((((t.get("tax_rate_details") or {}).get("tax_rate")) for t in taxes if t.get("amount")), None)
    if rate_id:
        rate = gateway.tax_rate_retrieve(rate_id if isinstance(rate_id, str) else rate_id["id"])
        label = f"{rate['display_name']} {float(rate['percentage']):g} %"
    return {"tax_cents": cents, "tax_label": label,
            "reverse_charge": any(t.get("taxability_reason") == "reverse_charge" for t in taxes)}
