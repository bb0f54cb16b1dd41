"""The Checkout page a Checkout Session's ``url`` points at: what is bought, a card field and Pay.

With ``billing_address_collection=required`` or automatic tax it asks for the billing address, and with
``tax_id_collection`` an optional tax ID (GSTIN for India, VAT number for the EU, formats of
``billing.tax_ids``); a wrong one is refused next to its field with what was typed kept, and nothing is
saved. Paying saves the address and tax ID on the customer first, so the first invoice is taxed (``tax.py``).

Test cards (``pages.TEST_CARDS``): 4242… pays; 4000 0000 0000 0341 is declined and nothing is created
(localstripe itself would attach it and fail the charge later, so the page refuses it first);
4000 0027 6000 3184 goes through an authentication step, then pays. Paying completes the session
(``CheckoutSession._complete``, which sends ``checkout.session.completed``) and redirects, 303, to
its ``success_url``.
"""

from __future__ import annotations

import time

from aiohttp import web
from localstripe import resources as R
from localstripe.errors import UserError

from billing.tax_ids import COUNTRIES as TAX_COUNTRIES
from billing.tax_ids import tax_id_normalize, tax_id_problem, tax_id_type
from devstripe import extension as X
from devstripe import tax
from devstripe.pages import (
    authentication_page,
    button,
    card_number_field,
    card_number_read,
    day,
    e,
    merchant_header,
    money,
    notice,
    page,
    per_interval,
    see_other,
    select_field,
    stored,
    text_field,
)
from devstripe.process import AUTHENTICATION_CARD, DECLINED_CARD

COUNTRIES = list(TAX_COUNTRIES.items())
DECLINED = "Your card was declined. Nothing was charged — try another card."
ERRORS = {"authentication_failed": "Authentication failed. Nothing was charged — try again or use another card."}


def add_routes(app: web.Application) -> None:
    add = app.router.add_route
    add("GET", "/_test/checkout/{id}", checkout_page)
    add("POST", "/_test/checkout/{id}/pay", checkout_pay)
    add("GET", "/_test/checkout/{id}/authenticate", checkout_authentication)
    add("POST", "/_test/checkout/{id}/authenticate", checkout_authenticate)


def _session(request) -> X.CheckoutSession:
    return stored(X.CheckoutSession, request.match_info["id"], "checkout")


def product_name(price: dict) -> str:
    try:
        return R.Product._api_retrieve(price["product"]).name
    except UserError:
        return price.get("nickname") or price["id"]


def _summary(session) -> dict:
    """Return the lines, the recurring total per interval, the trial end (if any) and what is due today."""
    lines, recurring = [], {}
    for item in session.line_items["data"]:
        price, quantity = item["price"], int(item["quantity"])
        cadence = per_interval(price["recurring"]["interval"], price["recurring"]["interval_count"])
        lines.append({"name": product_name(price), "quantity": quantity, "cadence": cadence,
                      "unit": price["unit_amount"], "amount": price["unit_amount"] * quantity})
        recurring[cadence] = recurring.get(cadence, 0) + price["unit_amount"] * quantity
    trial_end = int(session.subscription_data.get("trial_end") or 0)
    trial_end = trial_end if trial_end > time.time() else None
    total = sum(line["amount"] for line in lines)
    return {"lines": lines, "recurring": recurring, "trial_end": trial_end, "due_today": 0 if trial_end else total}


def _then(summary, currency) -> str:
    return " + ".join(f"{money(amount, currency)} {cadence}" for cadence, amount in summary["recurring"].items())


def _address_form(session, details: dict, errors: dict) -> str:
    """Return the billing address and tax ID fields (asked when the session collects them), typed values kept."""
    if session.billing_address_collection != "required" and not session.automatic_tax["enabled"]:
        return ""
    fields = ("<h2>Billing address</h2>"
              + select_field("country", "Country", COUNTRIES, value=details.get("country", ""),
                             error=errors.get("country"))
              + text_field("line1", "Address", value=details.get("line1", ""), error=errors.get("line1"),
                           autocomplete="address-line1")
              + '<div class="pair"><div>'
              + text_field("city", "City", value=details.get("city", ""), error=errors.get("city"),
                           autocomplete="address-level2")
              + "</div><div>"
              + text_field("postal_code", "Postal code", value=details.get("postal_code", ""),
                           error=errors.get("postal_code"), autocomplete="postal-code")
              + "</div></div>")
    if session.tax_id_collection["enabled"]:
        fields += text_field("tax_id", "Tax ID (optional)", value=details.get("tax_id", ""),
                             error=errors.get("tax_id"),
                             help_html="A business in India gives its GSTIN (like <code>27AAPFU0939F1ZV</code>), "
                                       "one in the EU its VAT number (like <code>DE123456789</code>).")
    return fields + "<hr>"


def _details_read(session, form) -> tuple[dict, dict]:
    """Return the typed address and tax ID, and the error of each field in error."""
    details = {key: (form.get(key) or "").strip() for key in ("country", "line1", "city", "postal_code", "tax_id")}
    if session.billing_address_collection != "required" and not session.automatic_tax["enabled"]:
        return {}, {}
    errors = {key: f"Enter your {label}." for key, label in
              (("line1", "address"), ("city", "city"), ("postal_code", "postal code")) if not details[key]}
    if details["country"] not in dict(COUNTRIES):
        errors["country"] = "Choose your country."
    elif details["tax_id"] and session.tax_id_collection["enabled"]:
        problem = tax_id_problem(details["country"], details["tax_id"])
        if problem:
            errors["tax_id"] = problem
    return details, errors


def _details_save(session, details: dict) -> None:
    """Put the address on the customer and add its tax ID (customer_update[address]=auto), as Checkout does."""
    if not details:
        return
    customer = R.Customer._api_retrieve(session.customer)
    address = {key: details[key] for key in ("country", "line1", "city", "postal_code")}
    R.Customer._api_update(customer.id, address={**address, "line2": "", "state": ""})
    if details["tax_id"] and session.tax_id_collection["enabled"]:
        value = tax_id_normalize(details["tax_id"])
        if value not in {t.value for t in customer.tax_ids._list}:
            tax.add_tax_id(R.Customer, customer.id, type=tax_id_type(details["country"]), value=value)


def _render(session, *, typed: str = "", card_error: str | None = None, problem: str | None = None,
            status: int = 200, details: dict | None = None, errors: dict | None = None) -> web.Response:
    summary, currency = _summary(session), session.currency
    if session.status != "open":
        body = (merchant_header() + '<div class="card"><h1>This checkout is complete</h1>'
                '<p class="muted">It has already been paid; nothing more is charged.</p>'
                f'<a class="button" href="{e(session.success_url)}">Continue to Unison</a></div>')
        return page("Checkout complete", body)
    lines = "".join(
        f'<li class="line"><div><strong>{e(line["name"])}</strong><div class="muted small">'
        f'Qty {line["quantity"]} × {e(money(line["unit"], currency))} {e(line["cadence"])}</div></div>'
        f'<div class="amount">{e(money(line["amount"], currency))}</div></li>'
        for line in summary["lines"])
    trial = ""
    if summary["trial_end"]:
        trial = (f'<p class="trial" data-testid="trial">Free trial until {e(day(summary["trial_end"]))}, '
                 f'then {e(_then(summary, currency))}.</p>')
    due = money(summary["due_today"], currency)
    taxed = session.automatic_tax["enabled"]
    cancel = f'<a class="back" href="{e(session.cancel_url)}">← Cancel and return to Unison</a>' if session.cancel_url else ""
    body = (
        merchant_header()
        + '<div class="card"><p class="muted">Subscribe to Unison</p>'
        f'<p class="lead">{e(_then(summary, currency))}</p>{trial}'
        f'<ul class="lines" aria-label="What you are buying">{lines}'
        f'<li class="total"><span>Total due today{" before tax" if taxed else ""}</span>'
        f'<span class="amount" data-testid="due-today">{e(due)}</span></li></ul>'
        + ('<p class="help" data-testid="tax-note">Tax is added by your billing address: GST 18 % in India, '
           "VAT 19–22 % in the EU (none for a business with an EU VAT number: reverse charge).</p>" if taxed else "")
        +
        "<hr>"
        + (notice(problem, "bad") if problem else "")
        + f'<form method="post" action="/_test/checkout/{e(session.id)}/pay" novalidate>'
        + _address_form(session, details or {}, errors or {})
        + "<h2>Pay with card</h2>"
        + card_number_field(value=typed, error=card_error)
        + '<div class="pair"><div>'
        + text_field("expiry", "Expiry", placeholder="MM / YY", autocomplete="cc-exp", inputmode="numeric")
        + "</div><div>"
        + text_field("cvc", "CVC", placeholder="123", autocomplete="cc-csc", inputmode="numeric")
        + "</div></div>"
        + button(f"Pay {due}")
        + f'</form>{cancel}</div>'
    )
    return page("Checkout", body, status=status)


def checkout_page(request):
    session = _session(request)
    return _render(session, problem=ERRORS.get(request.query.get("error", "")))


async def checkout_pay(request):
    session = _session(request)
    if session.status != "open":
        raise see_other(f"/_test/checkout/{session.id}")
    form = await request.post()
    typed = form.get("card_number", "")
    number, error = card_number_read(typed)
    details, errors = _details_read(session, form)
    if error or errors:
        return _render(session, typed=typed, card_error=error, status=422, details=details, errors=errors)
    if number == DECLINED_CARD:
        return _render(session, typed=typed, problem=DECLINED, status=402, details=details)
    session._pending_details = details
    if number == AUTHENTICATION_CARD:
        session._pending_card = number
        raise see_other(f"/_test/checkout/{session.id}/authenticate")
    _pay(session, number)
    raise see_other(session.success_url)


def checkout_authentication(request):
    session = _session(request)
    if session.status != "open" or not getattr(session, "_pending_card", None):
        raise see_other(f"/_test/checkout/{session.id}")
    due = _summary(session)["due_today"]
    what = f"a payment of {money(due, session.currency)} to Unison" if due else "saving this card with Unison for after the trial"
    return authentication_page(action=f"/_test/checkout/{session.id}/authenticate", amount_text=what,
                               cancel_href=f"/_test/checkout/{session.id}")


async def checkout_authenticate(request):
    session = _session(request)
    card = getattr(session, "_pending_card", None)
    session._pending_card = None
    if session.status != "open" or not card:
        raise see_other(f"/_test/checkout/{session.id}")
    if (await request.post()).get("outcome") != "complete":
        raise see_other(f"/_test/checkout/{session.id}?error=authentication_failed")
    _pay(session, card)
    raise see_other(session.success_url)


def _pay(session, card: str) -> None:
    """Save the address and tax ID, then complete the session with the card (tax is billed from them); a
    first payment waiting for authentication is authenticated now."""
    _details_save(session, getattr(session, "_pending_details", None) or {})
    session._complete(card)
    for invoice in [i for k, i in R.store.items() if k.startswith("invoice:") and i.subscription == session.subscription]:
        intent = R.PaymentIntent._api_retrieve(invoice.payment_intent) if invoice.payment_intent else None
        if intent is not None and intent.status == "requires_action":
            R.PaymentIntent._api_authenticate(intent.id, client_secret=intent.client_secret, success=True)
