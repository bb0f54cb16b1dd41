"""The hosted invoice page an invoice's ``hosted_invoice_url`` points at: who is billed, the lines, tax, total."""

from __future__ import annotations

from aiohttp import web
from localstripe import resources as R

from devstripe.pages import day, e, merchant_header, money, page, stored

REASONS = {"reverse_charge": "reverse charge: the customer accounts for VAT",
           "not_collecting": "not collected in this country", "customer_exempt": "no billing address"}


def add_routes(app: web.Application) -> None:
    app.router.add_route("GET", "/_test/invoices/{id}", invoice_page)


def tax_label(entry: dict) -> str:
    """Return how a ``total_taxes`` entry reads: "GST 18 %" or "0 % (reverse charge: …)"."""
    rate_id = (entry.get("tax_rate_details") or {}).get("tax_rate")
    if rate_id:
        rate = R.TaxRate._api_retrieve(rate_id)
        return f"{rate.display_name} {rate.percentage:g} %"
    return f"0 % ({REASONS.get(entry.get('taxability_reason'), entry.get('taxability_reason') or '')})"


def invoice_page(request):
    invoice = stored(R.Invoice, request.match_info["id"], "invoice")
    currency = invoice.currency
    address = invoice.customer_address or {}
    billed = [address.get(key) for key in ("line1", "city", "postal_code", "country") if address.get(key)]
    tax_ids = "".join(f'<li>{e(t["type"])} <code>{e(t["value"])}</code></li>' for t in invoice.customer_tax_ids)
    lines = "".join(f'<li class="line"><span>{e(line.description or "Subscription")}</span>'
                    f'<span class="amount">{e(money(line.amount, currency))}</span></li>'
                    for line in invoice.lines._list)
    taxes = "".join(f'<li class="line" data-testid="tax"><span>Tax ({e(tax_label(entry))})</span>'
                    f'<span class="amount">{e(money(entry["amount"], currency))}</span></li>'
                    for entry in invoice.total_taxes)
    body = (
        merchant_header()
        + f'<div class="card"><p class="muted">Invoice {e(invoice.number or "draft")} · {e(day(invoice.date))}</p>'
        f'<p class="lead" data-testid="invoice-total">{e(money(invoice.total, currency))}</p>'
        f'<p class="muted">{e(invoice.status.capitalize())}</p>'
        f'<h2 class="spaced">Billed to</h2><p>{e(invoice.customer_email or invoice.customer)}<br>'
        f'{e(", ".join(billed) or "No billing address")}</p>'
        + (f'<ul class="cards" aria-label="Tax IDs">{tax_ids}</ul>' if tax_ids else "")
        + f'<ul class="lines" aria-label="Invoice lines">{lines}'
        f'<li class="line"><span>Subtotal</span><span class="amount">{e(money(invoice.subtotal, currency))}</span></li>'
        f'{taxes}<li class="total"><span>Total</span><span class="amount">{e(money(invoice.total, currency))}</span>'
        "</li></ul></div>"
    )
    return page(f"Invoice {invoice.number or ''}", body)
