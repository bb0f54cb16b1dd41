"""Billing lifecycle the stand-in adds beyond ``extension.py``: what Stripe does that localstripe lacks.

- Subscription schedules (``/v1/subscription_schedules``): made ``from_subscription``, phases set
  by update, ``release``; the next phase's items take over at the renewal that reaches its start,
  then the schedule is released (``end_behavior=release``), as Stripe does.
- Dunning: a renewal whose payment fails a third time (attempt 3) makes the subscription
  ``unpaid`` (Stripe's "mark the subscription unpaid" after the last retry); a later payment
  makes it ``active`` again.
- ``/v1/invoices/create_preview`` for a change to a subscription's items: what is due today
  under ``proration_behavior=always_invoice`` (the prorated difference for the rest of the period),
  less the discount ``discounts`` names or else the subscription's own (``next_period_total`` too),
  or, without ``subscription``, the first invoice of a new one; taxed as ``tax.py`` says.
- ``/v1/checkout/sessions/{id}/expire``.
- ``/_test/webhooks/take``: the events held back (``/_test/webhooks/hold``), handed over once, so a
  test can deliver them itself: twice, late, shuffled.
"""

from __future__ import annotations

from aiohttp import web
from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from devstripe import discounts as D
from devstripe import extension as X
from devstripe import tax

UNPAID_AFTER_ATTEMPTS = 3


class SubscriptionSchedule(R.StripeObject):
    object = "subscription_schedule"
    _id_prefix = "sub_sched_"

    def __init__(self, from_subscription=None, **ignored):
        if not from_subscription:
            raise UserError(400, "Missing from_subscription", {"param": "from_subscription"})
        sub = R.Subscription._api_retrieve(from_subscription)
        if getattr(sub, "_schedule", None):
            raise UserError(400, "The subscription already has a schedule.", {"param": "from_subscription"})
        super().__init__()
        self.subscription, self.customer, self.metadata = sub.id, sub.customer, {}
        self.status, self.end_behavior = "active", "release"
        self.canceled_at = self.completed_at = self.released_at = self.released_subscription = None
        self.default_settings, self.application, self.test_clock = {}, None, None
        self.phases = [{"start_date": sub.current_period_start, "end_date": sub.current_period_end,
                        "items": _items_of(sub)}]
        sub._schedule = self.id

    @property
    def current_phase(self):
        first = self.phases[0] if self.phases else None
        return {"start_date": first["start_date"], "end_date": first["end_date"]} if first else None

    def _update(self, phases=None, end_behavior=None, metadata=None, proration_behavior=None, **ignored):
        if self.status != "active":
            raise UserError(400, "This schedule is no longer active.")
        if phases is not None:
            if not isinstance(phases, list) or not phases:
                raise UserError(400, "phases must be a list", {"param": "phases"})
            start = R.try_convert_to_int(phases[0].get("start_date")) or self.phases[0]["start_date"]
            built = []
            for phase in phases:
                end = R.try_convert_to_int(phase.get("end_date"))
                items = [{"price": R.Plan._api_retrieve(item["price"]).id,
                          "quantity": R.try_convert_to_int(item.get("quantity") or 1)} for item in phase["items"]]
                built.append({"start_date": start, "end_date": end, "items": items})
                start = end
            self.phases = built
        if end_behavior is not None:
            self.end_behavior = end_behavior
        if metadata:
            self.metadata.update(metadata)
        _updated(R.Subscription._api_retrieve(self.subscription))

    def _release(self):
        sub = R.store.get("subscription:" + self.subscription)
        self.status, self.released_at, self.released_subscription = "released", X._now(), self.subscription
        if sub is not None and getattr(sub, "_schedule", None) == self.id:
            sub._schedule = None
            _updated(sub)


def _items_of(sub) -> list[dict]:
    return [{"price": item.plan.id, "quantity": item.quantity} for item in sub.items._list]


def _updated(sub) -> None:
    R.schedule_webhook(R.Event("customer.subscription.updated", sub))


def phase_advance(sub, start: int) -> None:
    """At a renewal starting at ``start``, let the schedule's next phase replace the items (no proration)."""
    schedule = R.store.get("subscription_schedule:" + (getattr(sub, "_schedule", None) or ""))
    if schedule is None or schedule.status != "active":
        return
    upcoming = [phase for phase in schedule.phases[1:] if phase["start_date"] and phase["start_date"] <= start]
    if not upcoming:
        return
    phase = upcoming[-1]
    sub.items._list = [R.SubscriptionItem(subscription=sub.id, plan=item["price"], quantity=item["quantity"])
                       for item in phase["items"]]
    if phase is schedule.phases[-1]:
        schedule._release()


def _on_recurring_payment_failure(self, invoice):
    self.status = "unpaid" if invoice.attempt_count >= UNPAID_AFTER_ATTEMPTS else "past_due"


async def schedule_release(request):
    schedule = SubscriptionSchedule._api_retrieve(request.match_info["id"])
    if schedule.status != "active":
        raise UserError(400, "This schedule is no longer active.")
    schedule._release()
    return S.json_response(schedule._export())


async def preview(request):
    """Return what a change of a subscription's items costs today (prorated), as an invoice preview."""
    data = await S.get_post_data(request) or {}
    if not data.get("subscription"):
        return new_subscription_preview(data)
    sub = R.Subscription._api_retrieve(data.get("subscription") or "")
    details = data.get("subscription_details") or {}
    wanted = {item["id"]: item for item in details.get("items") or [] if item.get("id")}
    total = 0
    for item in sub.items._list:
        change = wanted.get(item.id)
        if change and R.try_convert_to_bool(change.get("deleted")) is True:
            continue
        plan = R.Plan._api_retrieve(change["price"]) if change and change.get("price") else item.plan
        quantity = R.try_convert_to_int(change.get("quantity") or 1) if change else item.quantity
        total += 0 if plan.usage_type == "metered" else plan.amount * quantity  # usage is billed in arrears
    for item in details.get("items") or []:
        if not item.get("id"):
            total += R.Plan._api_retrieve(item["price"]).amount * R.try_convert_to_int(item.get("quantity") or 1)
    difference = total - X._items_total(sub)
    due = max(0, X.proration_cents(sub, difference)) if sub.status in ("active", "past_due") else 0
    coupon = _preview_coupon(sub, data.get("discounts"))
    discount = D.off(coupon, due) if coupon is not None else 0
    taxed = tax.preview_tax(sub.customer, due - discount, getattr(sub, "_automatic_tax", False) or _tax_asked(data))
    return S.json_response({
        "object": "invoice", "id": "upcoming_" + R.random_id(14), "customer": sub.customer,
        "subscription": sub.id, "currency": sub.plan.currency, "amount_due": due - discount + taxed["tax"],
        "total": due - discount + taxed["tax"], "subtotal": due, "period_start": sub.current_period_start,
        "period_end": sub.current_period_end,
        "next_period_total": total - (D.off(coupon, total) if coupon is not None else 0),
        "total_discount_amounts": [{"amount": discount, "discount": None}] if coupon is not None else [],
        "lines": {"object": "list", "data": [], "has_more": False}, **taxed,
    })


def _tax_asked(data: dict) -> bool:
    return R.try_convert_to_bool((data.get("automatic_tax") or {}).get("enabled")) is True


def new_subscription_preview(data: dict) -> web.Response:
    """Return the first invoice of a new subscription with ``subscription_details[items]``, taxed if asked."""
    customer = R.Customer._api_retrieve(data.get("customer") or "")
    items = (data.get("subscription_details") or {}).get("items") or []
    if not items:
        raise UserError(400, "Missing subscription_details[items]", {"param": "subscription_details"})
    plans = [(R.Plan._api_retrieve(item.get("price") or ""), R.try_convert_to_int(item.get("quantity") or 1))
             for item in items]
    subtotal = sum(0 if plan.usage_type == "metered" else plan.amount * quantity for plan, quantity in plans)
    coupon = _preview_coupon(None, data.get("discounts")) if data.get("discounts") else None
    net = subtotal - (D.off(coupon, subtotal) if coupon is not None else 0)
    taxed = tax.preview_tax(customer.id, net, _tax_asked(data))
    return S.json_response({
        "object": "invoice", "id": "upcoming_" + R.random_id(14), "customer": customer.id, "subscription": None,
        "currency": plans[0][0].currency, "subtotal": subtotal, "total": net + taxed["tax"],
        "amount_due": net + taxed["tax"], "lines": {"object": "list", "data": [], "has_more": False}, **taxed,
    })


def _preview_coupon(sub, discounts):
    """Return the coupon a preview applies: the one ``discounts`` names, else the subscription's own."""
    wanted = (discounts[0] if isinstance(discounts, list) else discounts) if discounts else None
    if wanted and wanted.get("promotion_code"):
        return D.PromotionCode._api_retrieve(wanted["promotion_code"]).coupon
    if wanted:
        return R.Coupon._api_retrieve(wanted.get("coupon") or "")
    discount = D.current(sub)
    return discount.coupon if discount is not None else None


async def checkout_expire(request):
    session = X.CheckoutSession._api_retrieve(request.match_info["id"])
    if session.status != "open":
        raise UserError(400, f"Only an open Checkout Session can be expired; this one is {session.status}.")
    session.status = "expired"
    return S.json_response(session._export())


def webhooks_take(request):
    """Hand over the events held back so far (each once), oldest first."""
    taken, X.STATE["held"] = X.STATE["held"], []
    events = [R.store.get("event:" + event_id) for event_id in taken]
    return X._list("/_test/webhooks/take", [event._export() for event in events if event is not None])


@web.middleware
async def own_preview(request, handler):
    """Answer previews here: localstripe's own route computes the next renewal, not what is due today."""
    if request.method == "POST" and request.path == "/v1/invoices/create_preview":
        return await preview(request)
    return await handler(request)


def install(app: web.Application) -> None:
    """Add the routes and patches above to localstripe's app (after ``extension.install``)."""
    R.Subscription.schedule = property(lambda self: getattr(self, "_schedule", None))
    R.Subscription._on_recurring_payment_failure = _on_recurring_payment_failure
    X.RENEWAL_HOOKS[:] = [phase_advance]
    app.middlewares.append(own_preview)
    add = app.router.add_route
    url = "/v1/subscription_schedules"
    add("POST", url, S.api_create(SubscriptionSchedule, url))
    add("GET", url + "/{id}", S.api_retrieve(SubscriptionSchedule, url))
    add("POST", url + "/{id}", S.api_update(SubscriptionSchedule, url))
    add("POST", url + "/{id}/release", schedule_release)
    add("POST", "/v1/checkout/sessions/{id}/expire", checkout_expire)
    add("POST", "/_test/webhooks/take", webhooks_take)
