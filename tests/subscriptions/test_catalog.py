"""The catalog's published numbers, in integer cents."""

from __future__ import annotations

import pytest

from subscriptions import catalog
from subscriptions.templatetags.subscription_tags import cents


@pytest.mark.parametrize(
    ("key", "monthly", "annual", "users", "plants", "storage_gb"),
    [
        ("starter", 4900, 52920, 3, 1, 10),
        ("professional", 19900, 214920, 25, 5, 100),
        ("enterprise", 99900, 1079280, None, None, None),
    ],
)
def test_each_tier_has_its_published_prices_and_limits(key, monthly, annual, users, plants, storage_gb):
    tier = catalog.tier(key)
    assert (tier.monthly_cents, tier.annual_cents, tier.currency) == (monthly, annual, "usd")
    assert (tier.limits.users, tier.limits.plants, tier.limits.storage_gb) == (users, plants, storage_gb)
    assert (tier.price_cents("monthly"), tier.price_cents("annual")) == (monthly, annual)
    assert (tier.lookup_key("monthly"), tier.lookup_key("annual")) == (f"{key}_monthly", f"{key}_annual")


def test_annual_prices_are_about_ten_percent_off_twelve_months():
    for tier in catalog.TIERS.values():
        assert abs(tier.annual_cents - tier.monthly_cents * 12 * 0.9) <= 400  # Enterprise's is rounded as published
    assert [cents(t.annual_cents) for t in catalog.TIERS.values()] == ["$529.20", "$2,149.20", "$10,792.80"]


def test_add_ons_cost_five_dollars_a_user_twenty_five_a_plant_and_fifty_cents_a_gigabyte():
    prices = {a.key: (a.monthly_cents_per_unit, a.adds, a.lookup_key) for a in catalog.ADD_ONS.values()}
    assert prices == {
        "extra_user": (500, "users", "addon_extra_user_monthly"),
        "extra_plant": (2500, "plants", "addon_extra_plant_monthly"),
        "extra_storage": (50, "storage_gb", "addon_extra_storage_monthly"),
    }


def test_every_feature_has_a_stable_key_and_its_lowest_tier():
    assert len({f.key for f in catalog.FEATURES}) == len(catalog.FEATURES) == 21
    assert catalog.lowest_tier_with("quality_management").key == "professional"
    assert catalog.lowest_tier_with("sso_saml").key == "enterprise"
    assert catalog.lowest_tier_with("custom_domains").key == "enterprise"
    assert catalog.lowest_tier_with("work_orders").key == "starter"


def test_an_unknown_billing_cycle_has_no_price():
    with pytest.raises(ValueError):
        catalog.tier("starter").price_cents("weekly")
