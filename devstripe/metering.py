"""Usage-based billing as the API version we pin has it (billing meters; no usage records since 2025-03-31.basil).

- ``/v1/billing/meters``: create, retrieve, list (``status`` filter); ``default_aggregation.formula``
  is ``sum``, ``count`` or ``last``; customers are mapped by ``stripe_customer_id`` and the value read
  from ``value`` (Stripe's defaults).
- ``/v1/billing/meter_events``: the event's ``identifier`` is kept unique (Stripe enforces it for at
  least 24 hours); a repeat is answered with the first event and counts once.
- Metered prices (``recurring[usage_type]=metered`` with ``recurring[meter]``) are made by the price
  route in ``extension.py``; an item with one bills nothing in advance.
- At a renewal, each metered item bills in arrears what its meter aggregated over the period that
  ends (events from the period's start until the renewal), as an invoice line of the renewal invoice.
- ``/_test/meter_events?customer=cus_…``: the events received for a customer, oldest first.
"""

from __future__ import annotations

from localstripe import resources as R
from localstripe import server as S
from localstripe.errors import UserError

from devstripe import extension as X

FORMULAS = ("sum", "count", "last")
EVENTS: list[dict] = []  # every meter event received, in arrival order


class Meter(R.StripeObject):
    object = "billing.meter"
    _id_prefix = "mtr_"

    def __init__(self, display_name=None, event_name=None, default_aggregation=None, **ignored):
        formula = (default_aggregation or {}).get("formula")
        if not display_name or not event_name or formula not in FORMULAS:
            raise UserError(400, "display_name, event_name and default_aggregation[formula] (sum, count or last) "
                                 "are required", {"param": "default_aggregation"})
        if any(m.event_name == event_name and m.status == "active" for m in _meters()):
            raise UserError(400, f"An active meter with event_name {event_name} already exists.",
                            {"param": "event_name"})
        super().__init__()
        self.display_name, self.event_name, self.status = display_name, event_name, "active"
        self.default_aggregation = {"formula": formula}
        self.customer_mapping = {"event_payload_key": "stripe_customer_id", "type": "by_id"}
        self.value_settings = {"event_payload_key": "value"}
        self.event_time_window, self.updated = None, self.created
        self.status_transitions = {"deactivated_at": None}


def _meters() -> list[Meter]:
    return [m for k, m in R.store.items() if k.startswith("billing.meter:")]


def meter_list(request):
    query = S.unflatten_data(request.query)
    meters = [m for m in _meters() if not query.get("status") or m.status == query["status"]]
    return X._list("/v1/billing/meters", [m._export() for m in meters])


async def meter_event_create(request):
    data = await S.get_post_data(request) or {}
    payload = data.get("payload") or {}
    meter = next((m for m in _meters() if m.event_name == data.get("event_name") and m.status == "active"), None)
    if meter is None:
        raise UserError(400, f"No active meter has event_name {data.get('event_name')!r}.", {"param": "event_name"})
    try:
        value = float(payload.get("value"))
    except (TypeError, ValueError):
        raise UserError(400, "payload[value] must be a number", {"param": "payload[value]"}) from None
    customer = payload.get("stripe_customer_id") or ""
    R.Customer._api_retrieve(customer)
    identifier = data.get("identifier") or "mev_" + R.random_id(14)
    first = next((e for e in EVENTS if e["identifier"] == identifier), None)
    if first is not None:
        return S.json_response(first)
    event = {"object": "billing.meter_event", "created": X._now(), "event_name": meter.event_name,
             "identifier": identifier, "livemode": False, "payload": {**payload, "value": payload.get("value")},
             "timestamp": R.try_convert_to_int(data.get("timestamp")) or X._now(), "_meter": meter.id,
             "_customer": customer, "_value": value}
    EVENTS.append(event)
    return S.json_response({k: v for k, v in event.items() if not k.startswith("_")})


def aggregated(meter_id: str, customer: str, start: int, end: int) -> float:
    """Return what the meter aggregates for the customer over [start, end)."""
    meter = Meter._api_retrieve(meter_id)
    values = [e["_value"] for e in EVENTS
              if e["_meter"] == meter_id and e["_customer"] == customer and start <= e["timestamp"] < end]
    formula = meter.default_aggregation["formula"]
    if formula == "count":
        return float(len(values))
    if formula == "last":
        return values[-1] if values else 0.0
    return float(sum(values))


def bill_usage(sub, start: int) -> None:
    """At a renewal starting at ``start``, bill each metered item's usage of the period that ends."""
    for item in sub.items._list:
        plan = item.plan
        if getattr(plan, "usage_type", "licensed") != "metered":
            continue
        quantity = aggregated(plan._meter, sub.customer, sub.current_period_start, start)
        if quantity <= 0:
            continue
        shown = int(quantity) if quantity == int(quantity) else quantity
        R.InvoiceItem(amount=int(round(quantity * plan.amount)), currency=plan.currency, subscription=sub.id,
                      customer=sub.customer, plan=plan.id, period_start=sub.current_period_start, period_end=start,
                      description=f"{plan.nickname or 'Metered usage'} × {shown}",
                      metadata={"metered_quantity": str(shown)})


def _item_amount(self):
    return 0 if getattr(self.plan, "usage_type", "licensed") == "metered" else _item_amount_original(self)


_item_amount_original = R.SubscriptionItem._calculate_amount


def customer_meter_events(request):
    customer = request.query.get("customer", "")
    mine = [{k: v for k, v in e.items() if not k.startswith("_")} for e in EVENTS if e["_customer"] == customer]
    return X._list("/_test/meter_events", mine)


def install(app) -> None:
    """Add the routes and patches above to localstripe's app (after ``extension.install``)."""
    R.SubscriptionItem._calculate_amount = _item_amount
    X.RENEWAL_HOOKS.insert(0, bill_usage)  # before a schedule's next phase replaces the items
    add = app.router.add_route
    url = "/v1/billing/meters"
    add("POST", url, S.api_create(Meter, url))
    add("GET", url, meter_list)
    add("GET", url + "/{id}", S.api_retrieve(Meter, url))
    add("POST", "/v1/billing/meter_events", meter_event_create)
    add("GET", "/_test/meter_events", customer_meter_events)
