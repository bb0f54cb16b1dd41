"""Stripe Tax as the stand-in does it: a fixed rate by the customer's billing country, no registrations.

- Rates (``RATES``): IN 18 % GST; DE 19 %, FR 20 %, NL 21 %, ES 21 %, IT 22 % VAT; every other country
  (the US included, whatever the state) 0 %: "not collecting".
- The seller is in ``SELLER_COUNTRY`` (env ``DEVSTRIPE_SELLER_COUNTRY``, default US, as ``/v1/account``).
  An EU business (an ``eu_vat`` tax ID on the customer) in an EU country other than the seller's pays
  0 %: reverse charge. An EU customer without a VAT ID pays its country's VAT.
- A subscription made by a Checkout Session with ``automatic_tax[enabled]`` bills tax on every invoice:
  ``tax`` and ``total_tax_amounts`` (older API versions), ``total_taxes`` and each line's ``taxes``
  (2025-03-31.basil on), ``total = subtotal + tax``; the rate is a localstripe TaxRate
  (``/v1/tax_rates/{id}``). An invoice's rate is fixed when it is made, so a later address change
  leaves it alone, as in Stripe.
- Tax IDs: ``in_gst`` and ``eu_vat`` only, in the formats of ``billing.tax_ids``; a malformed one is a 400
  naming ``value``. Adding one sends ``customer.updated`` (the customer's ``tax_ids`` list changes).
- Previews (``lifecycle.preview``) get the same tax from ``preview_tax``.
"""

from __future__ import annotations

import os

from aiohttp import web
from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from billing.tax_ids import EU_COUNTRIES, tax_id_normalize, tax_id_problem, tax_id_type

SELLER_COUNTRY = os.environ.get("DEVSTRIPE_SELLER_COUNTRY", "US").upper()
RATES = {"IN": ("GST", 18.0), "DE": ("VAT", 19.0), "FR": ("VAT", 20.0), "NL": ("VAT", 21.0),
         "ES": ("VAT", 21.0), "IT": ("VAT", 22.0)}


def _tax_rate(country: str, name: str, percentage: float):
    """Return the stored TaxRate for the country's rate, made on first use."""
    for key, rate in R.store.items():
        if key.startswith("tax_rate:") and (rate.jurisdiction, rate.percentage) == (country, percentage):
            return rate
    return R.TaxRate(display_name=name, percentage=percentage, inclusive=False, jurisdiction=country,
                     description=f"{name} {country}")


def rate_for(customer) -> tuple[object | None, str]:
    """Return the TaxRate the customer pays (None for 0 %) and Stripe's taxability reason."""
    country = ((customer.address or {}).get("country") or "").upper()
    if not country:
        return None, "customer_exempt"
    business = any(tax_id.type == "eu_vat" for tax_id in customer.tax_ids._list)
    if country in EU_COUNTRIES and business and country != SELLER_COUNTRY:
        return None, "reverse_charge"
    if country not in RATES:
        return None, "not_collecting"
    return _tax_rate(country, *RATES[country]), "standard_rated"


def _invoice_tax(invoice) -> tuple[str | None, str | None]:
    """Return the invoice's (tax rate id, reason), fixed at its first read; (None, None) without automatic tax."""
    if "_tax" not in vars(invoice):
        sub = R.store.get("subscription:" + (invoice.subscription or ""))
        if sub is None or not getattr(sub, "_automatic_tax", False):
            invoice._tax = (None, None)
        else:
            rate, reason = rate_for(R.Customer._api_retrieve(invoice.customer))
            invoice._tax = (rate.id if rate else None, reason)
    return invoice._tax


def _amount(rate_id: str | None, amount: int) -> int:
    return R.TaxRate._api_retrieve(rate_id)._tax_amount(amount)["amount"] if rate_id else 0


def taxes(rate_id: str | None, reason: str | None, amount: int) -> list[dict]:
    """Return the ``total_taxes``-style entries for ``amount`` taxed at the rate (empty without automatic tax)."""
    if reason is None:
        return []
    return [{"amount": _amount(rate_id, amount), "tax_behavior": "exclusive", "taxable_amount": amount,
             "taxability_reason": reason, "type": "tax_rate_details",
             "tax_rate_details": {"tax_rate": rate_id} if rate_id else None}]


def _net(invoice, amount: int) -> int:
    """Return the part of a line's ``amount`` that is taxed: after its share of the invoice's discount, as Stripe."""
    from devstripe.discounts import off  # installed after this module

    discount = getattr(invoice, "_discount", None)
    if discount is None or not invoice.subtotal:
        return amount
    return amount - round(off(discount.coupon, invoice.subtotal) * amount / invoice.subtotal)


def _total_tax_amounts(self) -> list[dict]:
    rate_id, reason = _invoice_tax(self)
    if reason is None:
        return _total_tax_amounts_original.fget(self)
    return [{"amount": _amount(rate_id, _net(self, line.amount)), "inclusive": False, "tax_rate": rate_id,
             "taxability_reason": reason} for line in self.lines._list if rate_id]


def _line_taxes(line) -> list[dict]:
    invoice = R.store.get("invoice:" + (line.invoice or ""))
    return taxes(*_invoice_tax(invoice), _net(invoice, line.amount)) if invoice is not None else []


def _customer_details(invoice) -> dict:
    customer = R.store.get("customer:" + invoice.customer)
    return {"address": customer.address if customer else None,
            "tax_ids": [{"type": t.type, "value": t.value} for t in customer.tax_ids._list] if customer else []}


def preview_tax(customer_id: str, subtotal: int, enabled: bool) -> dict:
    """Return the tax fields of a preview of ``subtotal`` for the customer (none unless ``enabled``)."""
    if not enabled:
        return {"tax": 0, "total_taxes": []}
    rate, reason = rate_for(R.Customer._api_retrieve(customer_id))
    found = taxes(rate.id if rate else None, reason, subtotal)
    return {"tax": sum(t["amount"] for t in found), "total_taxes": found,
            "automatic_tax": {"enabled": True, "status": "complete"}}


def add_tax_id(cls, id, type=None, value=None, **kwargs):
    """Add a tax ID (in_gst or eu_vat, checked as Stripe does) to the customer and send customer.updated."""
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    customer = cls._api_retrieve(id)
    if type not in ("in_gst", "eu_vat"):
        raise UserError(400, f"Invalid value for type: {type}. This stand-in takes in_gst and eu_vat.",
                        {"param": "type"})
    value = tax_id_normalize(value or "")
    country = "IN" if type == "in_gst" else {"EL": "GR"}.get(value[:2], value[:2])
    problem = tax_id_problem(country, value) if tax_id_type(country) == type else f"Invalid {type} value."
    if problem:
        raise UserError(400, f"Invalid value for {type}: {problem}", {"param": "value", "code": "tax_id_invalid"})
    tax_id = R.TaxId.__new__(R.TaxId)
    R.StripeObject.__init__(tax_id)
    tax_id.country, tax_id.customer, tax_id.type, tax_id.value = country, id, type, value
    tax_id.verification = {"status": "verified", "verified_address": None, "verified_name": None}
    customer.tax_ids._list.append(tax_id)
    R.schedule_webhook(R.Event("customer.updated", customer))
    return tax_id


_total_tax_amounts_original = R.Invoice.total_tax_amounts


@web.middleware
async def own_tax_ids(request, handler):
    """Answer tax ID creation here: localstripe's own route (bound at import) takes neither in_gst nor our formats."""
    parts = request.path.strip("/").split("/")
    if request.method == "POST" and len(parts) == 4 and parts[:2] == ["v1", "customers"] and parts[3] == "tax_ids":
        data = await S.get_post_data(request) or {}
        data.pop("expand", None)
        return S.json_response(add_tax_id(R.Customer, parts[2], **data)._export())
    return await handler(request)


def install(app: web.Application) -> None:
    """Patch localstripe's invoices, line items, subscriptions and tax IDs as the module says."""
    app.middlewares.append(own_tax_ids)
    R.Invoice.total_tax_amounts = property(_total_tax_amounts)
    R.Invoice.total_taxes = property(lambda self: taxes(*_invoice_tax(self), _net(self, self.subtotal)))
    R.Invoice.automatic_tax = property(lambda self: {"enabled": _invoice_tax(self)[1] is not None,
                                                     "status": "complete" if _invoice_tax(self)[1] else None})
    R.Invoice.customer_address = property(lambda self: _customer_details(self)["address"])
    R.Invoice.customer_tax_ids = property(lambda self: _customer_details(self)["tax_ids"])
    R.InvoiceLineItem.taxes = property(_line_taxes)
    R.Subscription.automatic_tax = property(lambda self: {"enabled": bool(getattr(self, "_automatic_tax", False))})
