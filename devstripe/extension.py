"""What localstripe lacks, added to its aiohttp app for the tests. Nothing here reaches the internet.

Emulated here (everything else is localstripe's own code):
- persistence: off (localstripe pickles its store to /tmp/localstripe.pickle on every write);
- Prices: ``/v1/prices`` create / retrieve / update / list with ``lookup_keys[]``, ``lookup_key`` and
  ``transfer_lookup_key``; a price is kept as a localstripe Plan with a ``price_`` id, so subscriptions and
  invoices bill it; subscription items also carry ``price``, ``current_period_start`` and ``current_period_end``;
- subscriptions with several items (localstripe allows one), trials (``trialing`` until ``trial_end``),
  item updates with ``proration_behavior`` (a proration invoice item for the rest of the period),
  ``cancel_at_period_end``, and a ``customer.subscription.updated`` event after each change;
- invoices: ``number``, ``invoice_pdf`` and ``hosted_invoice_url`` (a page: ``invoice_page.py``);
- Stripe Tax at a fixed rate by country, tax IDs in_gst and eu_vat (``tax.py``);
- Checkout Sessions (subscription mode) and Billing Portal sessions, each with a ``url`` served here;
- ``/v1/account`` and ``/v1/webhook_endpoints`` (creating one registers localstripe's signed delivery);
- billing meters and meter events, metered prices billed in arrears at renewal (``metering.py``);
- coupons with limits, promotion codes and discounts on subscriptions and invoices (``discounts.py``);
- test-only routes under ``/_test/``: complete a checkout, set a customer's card, renew a subscription
  (bill the next period), retry an invoice, end a period, send ``trial_will_end``, hold webhook delivery,
  and list a customer's events in the order they happened.
"""

from __future__ import annotations

import time

from aiohttp import web
from localstripe import resources as R
from localstripe import server as S
from localstripe import webhooks as W
from localstripe.errors import UserError

from devstripe.process import GOOD_CARD

STATE = {"base_url": "", "hold": False, "held": []}
# Called with (subscription, new period start) before a renewal bills the next period.
RENEWAL_HOOKS: list = []

# Persistence off: localstripe otherwise pickles every write to a fixed file in /tmp.
R.Store.dump_to_disk = lambda self: None
R.Store.try_load_from_disk = lambda self: None

_send = R.schedule_webhook


def _schedule(event):
    """Send the event as localstripe does, unless delivery is held for a test."""
    if STATE["hold"]:
        STATE["held"].append(event.id)
    else:
        _send(event)


R.schedule_webhook = _schedule


def _now() -> int:
    return int(time.time())


# --- Prices -----------------------------------------------------------------------------------

def price_export(plan) -> dict:
    return {
        "id": plan.id, "object": "price", "active": plan.active, "billing_scheme": "per_unit",
        "created": plan.created, "currency": plan.currency, "custom_unit_amount": None, "livemode": False,
        "lookup_key": getattr(plan, "_lookup_key", None), "metadata": plan.metadata, "nickname": plan.nickname,
        "product": plan.product, "tax_behavior": "unspecified", "tiers_mode": None, "transform_quantity": None,
        "recurring": {"interval": plan.interval, "interval_count": plan.interval_count,
                      "usage_type": plan.usage_type, "trial_period_days": None,
                      "meter": getattr(plan, "_meter", None)},
        "type": "recurring", "unit_amount": plan.amount, "unit_amount_decimal": str(plan.amount),
    }


def _prices() -> list:
    return [p for k, p in R.store.items() if k.startswith("plan:price_")]


def _take_lookup_key(key, transfer) -> None:
    holders = [p for p in _prices() if getattr(p, "_lookup_key", None) == key]
    if holders and not transfer:
        raise UserError(400, f"A price with lookup_key {key} already exists.", {"param": "lookup_key"})
    for price in holders:
        price._lookup_key = None


async def price_create(request):
    data = await S.get_post_data(request) or {}
    recurring = data.get("recurring") or {}
    if not data.get("product") or not data.get("currency") or "unit_amount" not in data or not recurring:
        raise UserError(400, "Missing product, currency, unit_amount or recurring")
    usage_type = recurring.get("usage_type") or "licensed"
    if usage_type == "metered":  # since 2025-03-31.basil a metered price needs a billing meter
        if not recurring.get("meter"):
            raise UserError(400, "A metered price needs recurring[meter].", {"param": "recurring[meter]"})
        if R.store.get("billing.meter:" + recurring["meter"]) is None:
            raise UserError(400, f"No such billing meter: {recurring['meter']}", {"param": "recurring[meter]"})
    if data.get("lookup_key"):
        _take_lookup_key(data["lookup_key"], R.try_convert_to_bool(data.get("transfer_lookup_key")) is True)
    plan = R.Plan(id="price_" + R.random_id(14), amount=data["unit_amount"], product=data["product"],
                  currency=data["currency"], interval=recurring.get("interval"),
                  interval_count=recurring.get("interval_count", 1), nickname=data.get("nickname"),
                  metadata=data.get("metadata"), usage_type=usage_type)
    plan._lookup_key = data.get("lookup_key")
    plan._meter = recurring.get("meter") if usage_type == "metered" else None
    return S.json_response(price_export(plan))


def price_retrieve(request):
    return S.json_response(price_export(R.Plan._api_retrieve(request.match_info["id"])))


async def price_update(request):
    plan = R.Plan._api_retrieve(request.match_info["id"])
    data = await S.get_post_data(request) or {}
    if "lookup_key" in data:
        _take_lookup_key(data["lookup_key"], R.try_convert_to_bool(data.get("transfer_lookup_key")) is True)
        plan._lookup_key = data["lookup_key"] or None
    if "active" in data:
        plan.active = R.try_convert_to_bool(data["active"])
    if "nickname" in data:
        plan.nickname = data["nickname"]
    if data.get("metadata"):
        plan.metadata.update(data["metadata"])
    return S.json_response(price_export(plan))


def price_list(request):
    query = S.unflatten_data(request.query)
    prices = _prices()
    if query.get("lookup_keys"):
        keys = query["lookup_keys"]
        keys = [keys] if isinstance(keys, str) else keys
        prices = [p for p in prices if getattr(p, "_lookup_key", None) in keys]
    if "active" in query:
        prices = [p for p in prices if p.active == R.try_convert_to_bool(query["active"])]
    if query.get("product"):
        prices = [p for p in prices if p.product == query["product"]]
    return _list("/v1/prices", [price_export(p) for p in prices])


def _list(url: str, data: list) -> web.Response:
    return S.json_response({"object": "list", "url": url, "has_more": False, "data": data})


# --- Subscriptions: several items, trials, periods, prorations --------------------------------

def _period_start(self):
    return self._period[0] if getattr(self, "_period", None) else self.items._list[0]._current_period()["start"]


def _period_end(self):
    return self._period[1] if getattr(self, "_period", None) else self.items._list[0]._current_period()["end"]


R.Subscription.current_period_start = property(_period_start)
R.Subscription.current_period_end = property(_period_end)


def _item_period(self):
    sub = R.store.get("subscription:" + (self._subscription or ""))
    if sub is not None and getattr(sub, "_period", None):
        return {"start": sub._period[0], "end": sub._period[1]}
    return _item_period_original(self)


_item_period_original = R.SubscriptionItem._current_period
R.SubscriptionItem._current_period = _item_period
R.SubscriptionItem.price = property(lambda self: price_export(self.plan))
R.SubscriptionItem.subscription = property(lambda self: self._subscription)
R.SubscriptionItem.current_period_start = property(lambda self: self._current_period()["start"])
R.SubscriptionItem.current_period_end = property(lambda self: self._current_period()["end"])


def _interval_seconds(plan) -> int:
    return 365 * 86400 if plan.interval == "year" else 30 * 86400


def subscription_create(*, customer, line_items, trial_end=None, metadata=None, discounts=None, automatic_tax=False):
    """Create a subscription with every line item, trialing until ``trial_end`` if given, with ``discounts``
    (taxed: ``tax.py``)."""
    from devstripe.discounts import redeem

    first, *rest = line_items
    trial_end = R.try_convert_to_int(trial_end) if trial_end else None
    # A trial_end keeps localstripe from invoicing before the other items are on.
    sub = R.Subscription(customer=customer, metadata=metadata,
                         items=[{"plan": first["price"], "quantity": first.get("quantity", 1)}],
                         trial_end=trial_end or _now() + 60)
    sub._automatic_tax = automatic_tax
    for item in rest:
        sub.items._list.append(R.SubscriptionItem(subscription=sub.id, plan=item["price"],
                                                  quantity=item.get("quantity", 1)))
    redeem(sub, discounts)
    if trial_end and trial_end > _now():
        sub.status, sub.trial_start, sub._period = "trialing", _now(), (_now(), trial_end)
    else:
        sub.trial_end = None
        sub._period = (_now(), _now() + _interval_seconds(sub.plan))
        sub._create_invoice()
    return sub


def _subscription_init(self, *args, **kwargs):
    _subscription_init_original(self, *args, **kwargs)
    self.default_tax_rates = self.default_tax_rates or []  # dj-stripe iterates over it


_subscription_init_original = R.Subscription.__init__
R.Subscription.__init__ = _subscription_init


def _items_total(sub) -> int:
    return sum(item._calculate_amount() for item in sub.items._list)


def subscription_update(cls, id, items=None, proration_behavior=None, cancel_at_period_end=None,
                        metadata=None, trial_end=None, payment_behavior=None, **ignored):
    sub = cls._api_retrieve(id)
    if payment_behavior == "pending_if_incomplete":
        return _update_if_paid(cls, sub, items=items, proration_behavior=proration_behavior,
                               cancel_at_period_end=cancel_at_period_end, metadata=metadata, trial_end=trial_end)
    before = _items_total(sub)
    for change in items or []:
        quantity = R.try_convert_to_int(change.get("quantity") or 1)
        current = next((i for i in sub.items._list if i.id == change.get("id")), None)
        if change.get("id") and current is None:
            raise UserError(400, "No such subscription item", {"param": "items"})
        if R.try_convert_to_bool(change.get("deleted")) is True:
            sub.items._list.remove(current)
        elif current is not None:
            current.plan = R.Plan._api_retrieve(change.get("price") or current.plan.id)
            current.quantity = quantity
        else:
            sub.items._list.append(R.SubscriptionItem(subscription=sub.id, plan=change["price"], quantity=quantity))
    difference = _items_total(sub) - before
    if items and difference and proration_behavior != "none" and sub.status in ("active", "past_due"):
        R.InvoiceItem(amount=proration_cents(sub, difference), currency=sub.plan.currency, proration=True,
                      description="Remaining time after the plan change", subscription=sub.id,
                      customer=sub.customer)
        if proration_behavior == "always_invoice":  # Stripe bills the proration at once
            invoice = R.Invoice(customer=sub.customer, subscription=sub.id, items=[])
            invoice._finalize()
            invoice_attempt(invoice)
    if cancel_at_period_end is not None:
        sub.cancel_at_period_end = R.try_convert_to_bool(cancel_at_period_end)
    if metadata:
        sub.metadata.update(metadata)
    if trial_end == "now" and sub.status == "trialing":
        trial_end_now(sub)
    elif trial_end is not None:
        sub.trial_end = R.try_convert_to_int(trial_end)
        if sub.status == "trialing":  # as in Stripe, a trial's period runs to its (new) end
            sub._period = (sub.current_period_start, sub.trial_end)
    R.schedule_webhook(R.Event("customer.subscription.updated", sub))
    return sub


def _update_if_paid(cls, sub, **changes):
    """Apply the update only if what it bills now is paid; else undo it and answer 402 (card declined)."""
    saved = ([(item.plan, item.quantity) for item in sub.items._list], list(sub.items._list), sub.status,
             getattr(sub, "_period", None), sub.trial_end, sub.latest_invoice)
    pending_before = {item.id for item in R.InvoiceItem._api_list_all(None, customer=sub.customer, limit=99)._list}
    subscription_update(cls, sub.id, **changes)
    invoice = R.store.get("invoice:" + (sub.latest_invoice or ""))
    if sub.latest_invoice == saved[5] or invoice is None or invoice.status == "paid":
        return sub
    for item, (plan, quantity) in zip(saved[1], saved[0], strict=True):
        item.plan, item.quantity = plan, quantity
    sub.items._list, sub.status, sub._period, sub.trial_end, sub.latest_invoice = saved[1], *saved[2:]
    invoice._voided = True
    for item in R.InvoiceItem._api_list_all(None, customer=sub.customer, limit=99)._list:
        if item.id not in pending_before and item.invoice in (None, invoice.id):
            item.invoice = invoice.id
    raise UserError(402, "Your card was declined. Nothing was charged and the plan did not change.",
                    {"code": "card_declined"})


def proration_cents(sub, difference: int) -> int:
    """Return the share of a change in the period's price that the rest of the period costs."""
    left = max(0, sub.current_period_end - _now()) / max(1, sub.current_period_end - sub.current_period_start)
    return int(difference * left)


def trial_end_now(sub) -> None:
    """End the trial now and bill the first period at once, as Stripe does for ``trial_end=now``."""
    sub.status, sub.trial_end = "active", _now()
    sub._period = (_now(), _now() + _interval_seconds(sub.plan))
    invoice = R.Invoice(customer=sub.customer, subscription=sub.id, items=list(sub.items._list))
    invoice._finalize()
    invoice_attempt(invoice)


R.Subscription._api_update = classmethod(subscription_update)


# --- Invoices: number and links ---------------------------------------------------------------

R.Invoice.number = property(lambda self: None if self._draft else "UNI-" + self.id[-8:].upper())
R.Invoice.invoice_pdf = property(lambda self: f"{STATE['base_url']}/_test/invoices/{self.id}.pdf")
R.Invoice.hosted_invoice_url = property(lambda self: f"{STATE['base_url']}/_test/invoices/{self.id}")
R.Invoice.discounts = property(lambda self: [])
R.InvoiceLineItem.discounts = property(lambda self: [])


def invoice_attempt(invoice) -> None:
    """Charge the invoice to the customer's default card, as Stripe's automatic collection does."""
    invoice._draft = False
    customer = R.Customer._api_retrieve(invoice.customer)
    card = customer._get_default_payment_method_or_source()
    if invoice.total <= 0:
        invoice._on_payment_success()
        return
    intent = R.PaymentIntent(amount=invoice.total, currency=invoice.currency, customer=invoice.customer,
                             payment_method=card.id)
    invoice.payment_intent, intent.invoice = intent.id, invoice.id
    intent._confirm(on_failure_now=invoice._on_payment_failure_now)


# --- Checkout and Billing Portal sessions -----------------------------------------------------

class CheckoutSession(R.StripeObject):
    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(self, mode=None, customer=None, line_items=None, success_url=None, cancel_url=None,
                 subscription_data=None, metadata=None, client_reference_id=None, discounts=None, automatic_tax=None,
                 tax_id_collection=None, billing_address_collection=None, customer_update=None, **ignored):
        if mode != "subscription" or not customer or not line_items or not success_url:
            raise UserError(400, "mode=subscription, customer, line_items and success_url are required")
        R.Customer._api_retrieve(customer)
        for item in line_items:
            R.Plan._api_retrieve(item.get("price", ""))
        super().__init__()
        self.mode, self.customer, self.success_url, self.cancel_url = mode, customer, success_url, cancel_url
        self._line_items, self._discounts = line_items, discounts
        self.subscription_data = subscription_data or {}
        self.metadata = metadata or {}
        self.client_reference_id = client_reference_id
        # Stripe Tax (devstripe/tax.py): the page collects the address and a tax ID, the subscription is taxed.
        self.automatic_tax = {"enabled": R.try_convert_to_bool((automatic_tax or {}).get("enabled")) is True,
                              "status": None}
        self.tax_id_collection = {"enabled": R.try_convert_to_bool((tax_id_collection or {}).get("enabled")) is True}
        self.billing_address_collection = billing_address_collection or "auto"
        self.customer_update = customer_update or {}
        self.status, self.payment_status, self.subscription, self.payment_intent = "open", "unpaid", None, None
        prices = [R.Plan._api_retrieve(item["price"]) for item in line_items]
        if len({price.currency for price in prices}) > 1:  # as Stripe: one currency per session
            raise UserError(400, "All prices on a Checkout Session must be in the same currency.")
        self.currency, self.livemode, self.expires_at = prices[0].currency, False, _now() + 86400
        self.url = f"{STATE['base_url']}/_test/checkout/{self.id}"
        self.total_details = {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0,
                              "breakdown": {"discounts": [], "taxes": []}}

    @property
    def line_items(self) -> dict:
        items = [{"id": f"li_{self.id[-10:]}{n}", "object": "item", "quantity": int(item.get("quantity", 1)),
                  "price": price_export(R.Plan._api_retrieve(item["price"])), "currency": self.currency, "discounts": []}
                 for n, item in enumerate(self._line_items)]
        return {"object": "list", "data": items, "has_more": False, "url": f"/v1/checkout/sessions/{self.id}/line_items"}

    def _complete(self, card: str):
        if self.status != "open":
            raise UserError(400, "This Checkout Session is no longer open.")
        _set_card(self.customer, card)
        sub = subscription_create(customer=self.customer, line_items=self._line_items,
                                  trial_end=self.subscription_data.get("trial_end"),
                                  metadata=self.subscription_data.get("metadata"), discounts=self._discounts,
                                  automatic_tax=self.automatic_tax["enabled"])
        self.subscription, self.status = sub.id, "complete"
        self.payment_status = "no_payment_required" if sub.status == "trialing" else "paid"
        R.schedule_webhook(R.Event("checkout.session.completed", self))
        return self


class PortalSession(R.StripeObject):
    object = "billing_portal.session"
    _id_prefix = "bps_"

    def __init__(self, customer=None, return_url=None, **ignored):
        if not customer:
            raise UserError(400, "Missing customer", {"param": "customer"})
        R.Customer._api_retrieve(customer)
        super().__init__()
        self.customer, self.return_url, self.livemode = customer, return_url, False
        self.url = f"{STATE['base_url']}/_test/portal/{self.id}"


def _set_card(customer_id: str, number: str):
    card = R.PaymentMethod(type="card", card={"number": number, "exp_month": 12, "exp_year": 2040, "cvc": "123"})
    R.PaymentMethod._api_attach(card.id, customer=customer_id)
    R.Customer._api_retrieve(customer_id).invoice_settings["default_payment_method"] = card.id
    return card


# --- Account and webhook endpoints ------------------------------------------------------------

ACCOUNT = {
    "id": "acct_1Localstripe000", "object": "account", "type": "standard", "country": "US",
    "default_currency": "usd", "email": "billing@unison.local", "charges_enabled": True,
    "payouts_enabled": True, "details_submitted": True, "livemode": False, "metadata": {},
    "business_profile": {"name": "Unison (localstripe)", "support_email": None, "url": None},
    "settings": {"dashboard": {"display_name": "Unison", "timezone": "Etc/UTC"},
                 "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None}},
    "capabilities": {}, "requirements": {}, "created": 1700000000,
}


class WebhookEndpoint(R.StripeObject):
    object = "webhook_endpoint"
    _id_prefix = "we_"

    def __init__(self, url=None, enabled_events=None, api_version=None, metadata=None, description=None,
                 **ignored):
        if not url or not str(url).startswith("http"):
            raise UserError(400, "Missing url", {"param": "url"})
        super().__init__()
        self.url, self.api_version, self.description = url, api_version, description
        self.enabled_events = enabled_events or ["*"]
        self.metadata = metadata or {}
        self.status, self.application, self.livemode = "enabled", None, False
        self.secret = "whsec_" + R.random_id(32)
        events = None if "*" in self.enabled_events else list(self.enabled_events)
        W.register_webhook(self.id, url, self.secret, events)

    @classmethod
    def _api_delete(cls, id):
        W._webhooks.pop(id, None)
        return super()._api_delete(id)


# --- Test-only routes -------------------------------------------------------------------------

async def checkout_complete(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    data = await S.get_post_data(request) or {}
    session._complete(data.get("card") or GOOD_CARD)
    if request.query.get("redirect"):
        raise web.HTTPFound(session.success_url)
    return S.json_response(session._export())


async def customer_card(request):
    data = await S.get_post_data(request) or {}
    return S.json_response(_set_card(request.match_info["id"], data.get("number") or GOOD_CARD)._export())


def subscription_renew(request):
    """Start the next period: end the trial if any, invoice every item and charge the default card."""
    sub = R.Subscription._api_retrieve(request.match_info["id"])
    start = max(_now(), sub.current_period_end if sub.status != "trialing" else _now())
    for hook in RENEWAL_HOOKS:  # a subscription schedule's next phase starts here (devstripe.lifecycle)
        hook(sub, start)
    sub._period = (start, start + _interval_seconds(sub.plan))
    if sub.status == "trialing":
        sub.status = "active"
    invoice = R.Invoice(customer=sub.customer, subscription=sub.id, items=list(sub.items._list), date=start)
    invoice._finalize()
    invoice_attempt(invoice)
    R.schedule_webhook(R.Event("customer.subscription.updated", sub))
    return S.json_response(invoice._export())


def invoice_retry(request):
    """Charge an open invoice again (Stripe's smart retries), counting the attempt."""
    invoice = R.Invoice._api_retrieve(request.match_info["id"])
    if invoice.status != "open":
        raise UserError(400, "Only an open invoice can be retried")
    invoice.attempt_count += 1
    invoice_attempt(invoice)
    sub = R.Subscription._api_retrieve(invoice.subscription)
    R.schedule_webhook(R.Event("customer.subscription.updated", sub))
    return S.json_response(invoice._export())


def subscription_end_period(request):
    """Reach the end of the period: a subscription set to cancel at period end is deleted."""
    sub = R.Subscription._api_retrieve(request.match_info["id"])
    if not sub.cancel_at_period_end:
        raise UserError(400, "The subscription is not set to cancel at period end")
    sub.canceled_at = _now()
    return S.json_response(R.Subscription._api_delete(sub.id)._export())


def subscription_trial_will_end(request):
    sub = R.Subscription._api_retrieve(request.match_info["id"])
    event = R.Event("customer.subscription.trial_will_end", sub)
    R.schedule_webhook(event)
    return S.json_response(event._export())


async def webhooks_hold(request):
    data = await S.get_post_data(request) or {}
    STATE["hold"] = R.try_convert_to_bool(data.get("on", "true")) is True
    return S.json_response({"hold": STATE["hold"]})


def customer_events(request):
    """Return the customer's events (those whose object names it) in the order they happened."""
    customer = request.match_info["id"]
    events = [e for k, e in R.store.items() if k.startswith("event:")]
    mine = [e for e in events if customer in (e.data["object"].get("customer"), e.data["object"].get("id"))]
    return _list("/_test/events", [e._export() for e in mine])


def invoice_pdf(request):
    return web.Response(body=b"%PDF-1.4\n% localstripe invoice\n", content_type="application/pdf")


@web.middleware
async def auth_except_test_routes(request, handler):
    """Let the browser open /_test/ pages (checkout, portal) without an API key."""
    if request.path.startswith("/_test/"):
        return await handler(request)
    return await S.auth_middleware(request, handler)


def install(app: web.Application, base_url: str) -> None:
    """Add the routes above to localstripe's app; ``base_url`` is where it is served."""
    STATE["base_url"] = base_url
    middlewares = app.middlewares
    middlewares[list(middlewares).index(S.auth_middleware)] = auth_except_test_routes
    add = app.router.add_route
    add("GET", "/v1/account", lambda request: S.json_response(ACCOUNT))
    add("GET", "/v1/accounts/{id}", lambda request: S.json_response(ACCOUNT))
    add("POST", "/v1/prices", price_create)
    add("GET", "/v1/prices", price_list)
    add("GET", "/v1/prices/{id}", price_retrieve)
    add("POST", "/v1/prices/{id}", price_update)
    add("GET", "/v1/products/{id}/features", lambda request: _list(request.path, []))
    for cls, url in ((CheckoutSession, "/v1/checkout/sessions"), (PortalSession, "/v1/billing_portal/sessions"),
                     (WebhookEndpoint, "/v1/webhook_endpoints")):
        add("POST", url, S.api_create(cls, url))
        add("GET", url + "/{id}", S.api_retrieve(cls, url))
        add("GET", url, S.api_list_all(cls, url))
    add("DELETE", "/v1/webhook_endpoints/{id}", S.api_delete(WebhookEndpoint, "/v1/webhook_endpoints"))
    add("POST", "/_test/checkout/{id}/complete", checkout_complete)
    from devstripe import checkout_page, portal_page  # the pages a person uses (they import this module)

    checkout_page.add_routes(app)
    portal_page.add_routes(app)
    add("POST", "/_test/customers/{id}/card", customer_card)
    add("GET", "/_test/customers/{id}/events", customer_events)
    add("POST", "/_test/subscriptions/{id}/renew", subscription_renew)
    add("POST", "/_test/subscriptions/{id}/end_period", subscription_end_period)
    add("POST", "/_test/subscriptions/{id}/trial_will_end", subscription_trial_will_end)
    add("POST", "/_test/invoices/{id}/retry", invoice_retry)
    add("GET", "/_test/invoices/{id}.pdf", invoice_pdf)
    add("POST", "/_test/webhooks/hold", webhooks_hold)
    from devstripe import lifecycle  # schedules, dunning, previews: what Stripe does beyond these routes

    lifecycle.install(app)
    from devstripe import metering  # billing meters, meter events and metered prices billed at renewal

    metering.install(app)
    from devstripe import discounts  # coupons' limits, promotion codes, discounts on subscriptions and invoices

    discounts.install(app)
    from devstripe import invoice_page, tax  # Stripe Tax at a fixed rate by country; the hosted invoice page

    tax.install(app)
    invoice_page.add_routes(app)
