"""``sync_stripe_catalog`` against a fresh localstripe of its own (prices emulated by devstripe)."""

from __future__ import annotations

import dataclasses
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from devstripe.process import StripeServer
from subscriptions import catalog

pytestmark = pytest.mark.stripe
LOOKUP_KEYS = list(catalog.lookup_keys_by_currency())  # 10 prices in each of the 3 currencies


@pytest.fixture
def fresh_stripe(settings):
    server = StripeServer()
    settings.STRIPE_API_BASE = server.url
    yield server
    server.stop()


def _sync() -> str:
    out = StringIO()
    call_command("sync_stripe_catalog", stdout=out)
    return out.getvalue()


def _prices(server) -> dict[str, dict]:
    prices = {}
    for start in range(0, len(LOOKUP_KEYS), 10):  # Stripe lists at most 10 lookup keys at once
        query = "&".join(f"lookup_keys[]={key}" for key in LOOKUP_KEYS[start:start + 10])
        prices.update({p["lookup_key"]: p for p in server.call("GET", f"/v1/prices?{query}&active=true")["data"]})
    return prices


def test_it_creates_every_price_by_lookup_key_and_a_second_run_changes_nothing(fresh_stripe):
    first = _sync()
    prices = _prices(fresh_stripe)
    second = _sync()

    assert "30 prices created" in first and "7 products created" in first and "1 meters created" in first
    assert second.strip().splitlines()[-1] == ("Stripe catalog in sync: 1 meters unchanged, 30 prices unchanged, "
                                               "7 products unchanged.")
    assert sorted(prices) == sorted(LOOKUP_KEYS)
    assert prices["starter_monthly"]["unit_amount"] == catalog.TIERS["starter"].monthly_cents
    assert prices["professional_annual"]["unit_amount"] == catalog.TIERS["professional"].annual_cents
    assert prices["professional_annual"]["recurring"]["interval"] == "year"
    assert prices["addon_extra_plant_monthly"]["unit_amount"] == catalog.ADD_ONS["extra_plant"].monthly_cents_per_unit
    overage = prices[catalog.STORAGE_OVERAGE.lookup_key]
    assert (overage["unit_amount"], overage["recurring"]["usage_type"]) == (50, "metered")
    meter = fresh_stripe.call("GET", f"/v1/billing/meters/{overage['recurring']['meter']}")
    assert (meter["event_name"], meter["default_aggregation"]["formula"]) == (catalog.STORAGE_OVERAGE.event_name, "last")
    assert _prices(fresh_stripe) == prices
    for currency in catalog.CURRENCIES:  # one price per currency, on the tier's one product
        price = prices[catalog.tier("starter").lookup_key("monthly", currency)]
        assert (price["currency"], price["unit_amount"], price["product"]) == (
            currency, catalog.tier("starter").price_cents("monthly", currency), "unison_starter")
    assert prices["addon_extra_user_monthly_inr"]["unit_amount"] == 39900
    assert prices["storage_overage_monthly_eur"]["recurring"]["meter"] == overage["recurring"]["meter"]


def test_a_changed_amount_gets_a_new_price_that_takes_over_the_lookup_key(fresh_stripe, monkeypatch):
    _sync()
    old = _prices(fresh_stripe)["starter_monthly"]
    monkeypatch.setitem(catalog.TIERS, "starter", dataclasses.replace(catalog.TIERS["starter"], monthly_cents=5900))

    output = _sync()

    new = _prices(fresh_stripe)["starter_monthly"]
    assert "1 prices replaced" in output and "29 prices unchanged" in output
    assert (new["unit_amount"], new["id"] != old["id"]) == (5900, True)
    assert fresh_stripe.call("GET", f"/v1/prices/{old['id']}")["active"] is False


def test_stripe_down_is_a_clear_command_error(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    with pytest.raises(CommandError, match="could not be reached"):
        _sync()


def test_only_the_billing_gateway_imports_stripe():
    root = Path(__file__).resolve().parents[2]
    importers = [
        path.relative_to(root).as_posix()
        for folder in ("accounts", "billing", "marketing", "notifications", "platform_admin", "shopfloor",
                       "subscriptions", "tenants", "unison", "bench")
        for path in (root / folder).rglob("*.py")
        if re.search(r"^\s*(import stripe|from stripe\b)", path.read_text(), re.M)
    ]
    assert importers == ["billing/gateway.py"]
