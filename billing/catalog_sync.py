"""Make Stripe's Products and Prices match ``subscriptions.catalog``, found by lookup key.

Prices are immutable in Stripe: a changed amount gets a new price that takes over the lookup
key, and the old one is archived. Running it again changes nothing. Storage overage is a metered
price on a billing meter (the API version we pin, like every one since 2025-03-31.basil, has no
meter-less metered prices or usage records): the meter is made once, found by its event name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from billing import gateway
from subscriptions import catalog


@dataclass(frozen=True)
class WantedPrice:
    lookup_key: str
    product_id: str
    product_name: str
    unit_amount: int
    interval: str
    nickname: str
    meter_event: str = ""  # metered: the billing meter's event name
    currency: str = catalog.CURRENCY


def wanted_prices() -> list[WantedPrice]:
    """Return every price the catalog sells, in each currency: each tier monthly and annual, each add-on monthly."""
    return [price for currency in catalog.CURRENCIES for price in _wanted_in(currency)]


def _wanted_in(currency: str) -> list[WantedPrice]:
    wanted = []
    suffix = "" if currency == catalog.CURRENCY else f", {currency.upper()}"
    for tier in catalog.TIERS.values():
        for cycle, interval in (("monthly", "month"), ("annual", "year")):
            wanted.append(WantedPrice(tier.lookup_key(cycle, currency), f"unison_{tier.key}", f"Unison {tier.name}",
                                      tier.price_cents(cycle, currency), interval, f"{tier.name} ({cycle}{suffix})",
                                      currency=currency))
    for add_on in catalog.ADD_ONS.values():
        wanted.append(WantedPrice(add_on.lookup_key_in(currency), f"unison_addon_{add_on.key}",
                                  f"Unison {add_on.name}", add_on.cents_per_unit(currency), "month",
                                  f"{add_on.name} (per {add_on.unit}{suffix})", currency=currency))
    overage = catalog.STORAGE_OVERAGE
    wanted.append(WantedPrice(overage.lookup_key_in(currency), "unison_storage_overage", f"Unison {overage.name}",
                              overage.cents_in(currency), "month", f"{overage.name} (per {overage.unit}{suffix})",
                              meter_event=overage.event_name, currency=currency))
    return wanted


def meter_ensure(event_name: str, name: str, counts: Counter) -> str:
    """Return the id of the billing meter for ``event_name``, made if missing (keeping each period's last value)."""
    meter = gateway.meter_for_event(event_name)
    counts["meters unchanged" if meter else "meters created"] += 1
    return (meter or gateway.meter_create(display_name=name, event_name=event_name, formula="last"))["id"]


def _matches(price, wanted: WantedPrice, meter: str | None) -> bool:
    recurring = price.get("recurring") or {}
    return (
        recurring.get("meter") == meter
        and price["unit_amount"] == wanted.unit_amount
        and price["currency"] == wanted.currency
        and (price.get("recurring") or {}).get("interval") == wanted.interval
        and price["product"] == wanted.product_id
    )


def stripe_catalog_sync(*, progress: Callable[[str], None] = lambda line: None) -> Counter:
    """Create or update the Products and Prices in Stripe; return counts of what was done."""
    counts: Counter = Counter()
    wanted = wanted_prices()
    for product_id, name in dict((w.product_id, w.product_name) for w in wanted).items():
        product = gateway.product_retrieve(product_id)
        if product is None:
            gateway.product_create(product_id=product_id, name=name, metadata={"source": "unison catalog"})
            counts["products created"] += 1
        elif product["name"] != name:
            gateway.product_update(product_id, name=name)
            counts["products updated"] += 1
        else:
            counts["products unchanged"] += 1
    metered = {w.meter_event: w.product_name for w in wanted if w.meter_event}  # one meter for every currency
    meters = {event: meter_ensure(event, name, counts) for event, name in metered.items()}
    existing = gateway.prices_by_lookup_key([w.lookup_key for w in wanted])
    for number, price in enumerate(wanted, start=1):
        old = existing.get(price.lookup_key)
        meter = meters.get(price.meter_event)
        if old is not None and _matches(old, price, meter):
            counts["prices unchanged"] += 1
            state = "unchanged"
        else:
            gateway.price_create(product_id=price.product_id, lookup_key=price.lookup_key,
                                 unit_amount=price.unit_amount, currency=price.currency,
                                 interval=price.interval, nickname=price.nickname, meter=meter)
            if old is not None:
                gateway.price_deactivate(old["id"])
            state = "replaced" if old is not None else "created"
            counts[f"prices {state}"] += 1
        progress(f"[{number}/{len(wanted)}] {price.lookup_key}: {state}")
    return counts
