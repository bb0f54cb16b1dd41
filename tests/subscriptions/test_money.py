"""The one money formatter, in each currency we sell in, and the USD rate table."""

from __future__ import annotations

import pytest

from subscriptions import catalog
from subscriptions.money import money_format
from subscriptions.templatetags.subscription_tags import cents


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    (4900, "usd", "$49"),
    (52920, "usd", "$529.20"),
    (123400, "usd", "$1,234"),
    (123450, "eur", "€1,234.50"),
    (99900, "inr", "₹999"),
    (10000000, "inr", "₹1,00,000"),
    (123456700, "inr", "₹12,34,567"),
    (1234567805, "inr", "₹1,23,45,678.05"),
    (100000, "inr", "₹1,000"),
    (-5000, "eur", "-€50"),
    (500, "gbp", "5 GBP"),
])
def test_it_formats_each_currency(amount, currency, expected):
    assert money_format(amount, currency) == expected


def test_the_cents_filter_is_the_same_formatter_and_defaults_to_usd():
    assert cents(4900) == "$49"
    assert cents(10000000, "inr") == "₹1,00,000"


def test_usd_cents_converts_by_the_rate_table_with_halves_up():
    assert catalog.usd_cents(4500, "eur") == 4860
    assert catalog.usd_cents(299900, "inr") == 3599  # 2,999 rupees at 0.012: $35.988
    assert catalog.usd_cents(125, "inr") == 2  # 1.5 cents rounds up
    assert catalog.usd_cents(4900, "usd") == 4900


def test_every_tier_and_add_on_has_a_price_and_a_lookup_key_in_every_currency():
    keys = catalog.lookup_keys_by_currency()
    for currency in catalog.CURRENCIES:
        for tier in catalog.TIERS.values():
            monthly, annual = tier.prices(currency)
            assert 0 < monthly and annual == monthly * 12 * (100 - catalog.ANNUAL_DISCOUNT_PERCENT) // 100 or \
                tier.key == "enterprise" and currency == "usd"
            assert keys[tier.lookup_key("monthly", currency)] == currency
        for add_on in catalog.ADD_ONS.values():
            assert add_on.cents_per_unit(currency) > 0
            assert keys[add_on.lookup_key_in(currency)] == currency
    assert catalog.tier("starter").lookup_key("annual") == "starter_annual"  # USD keeps its keys
    assert catalog.tier("starter").lookup_key("annual", "inr") == "starter_annual_inr"
    assert catalog.ADD_ONS["extra_user"].lookup_key_in("eur") == "addon_extra_user_monthly_eur"
    assert len(set(keys)) == len(keys) == 3 * (6 + 3 + 1)


def test_an_unknown_currency_has_no_price():
    with pytest.raises(KeyError):
        catalog.tier("starter").lookup_key("monthly", "gbp")
    with pytest.raises(KeyError):
        catalog.tier("starter").prices("xyz")
