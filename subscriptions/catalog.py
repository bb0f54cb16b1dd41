"""The plan catalog: the single source of truth for tiers, prices, limits, features and add-ons.

The pricing page, feature gates, limits, Stripe sync and metrics all read this module.
Money is integer minor units (cents, paise). Every price is published in each of ``CURRENCIES``:
USD in the tiers and add-ons below, EUR and INR in ``LOCAL_PRICES``; each has its own Stripe price,
found by a lookup key that ends in ``_<currency>`` (USD's keys carry no suffix, as they always had).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CURRENCY = "usd"  # the default currency, and the one metrics are normalised to
CURRENCIES = ("usd", "eur", "inr")
# What one unit of each currency is worth in US dollars, for MRR in USD (a minor unit converts alike).
USD_RATES = {"usd": Decimal("1"), "eur": Decimal("1.08"), "inr": Decimal("0.012")}
TRIAL_DAYS = 14
MAX_TRIAL_DAYS = 90  # the longest trial an operator sets for a deal
MAX_TRIAL_OFFER_DAYS = 60  # the longest trial a signed campaign link offers
TRIAL_TIER = "professional"
ANNUAL_DISCOUNT_PERCENT = 10
GB = 1024**3
BILLING_CYCLES = ("monthly", "annual")


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    tier: str  # the lowest tier that includes it


@dataclass(frozen=True)
class Limits:
    users: int | None  # None means unlimited
    plants: int | None
    storage_gb: int | None

    @property
    def storage_bytes(self) -> int | None:
        return None if self.storage_gb is None else self.storage_gb * GB


@dataclass(frozen=True)
class Tier:
    key: str
    name: str
    tagline: str
    monthly_cents: int
    # The published annual price ("10 % off 12 months"); Enterprise's is rounded as published.
    annual_cents: int
    limits: Limits
    rank: int
    features: tuple[str, ...] = field(default=())
    currency: str = CURRENCY

    @property
    def annual_saving_cents(self) -> int:
        return self.monthly_cents * 12 - self.annual_cents

    def price_cents(self, billing_cycle: str, currency: str = CURRENCY) -> int:
        """Return the price of one billing period on ``billing_cycle`` (monthly or annual) in ``currency``."""
        if billing_cycle not in BILLING_CYCLES:
            raise ValueError(f"Unknown billing cycle {billing_cycle!r}")
        monthly, annual = self.prices(currency)
        return annual if billing_cycle == "annual" else monthly

    def prices(self, currency: str = CURRENCY) -> tuple[int, int]:
        """Return the published (monthly, annual) prices in ``currency``; KeyError for an unknown one."""
        if currency == CURRENCY:
            return self.monthly_cents, self.annual_cents
        return LOCAL_PRICES[currency][self.key]

    def monthly_equivalent_cents(self, billing_cycle: str, currency: str = CURRENCY) -> int:
        """Return what the tier contributes to MRR on this cycle (annual / 12)."""
        price = self.price_cents(billing_cycle, currency)
        return price // 12 if billing_cycle == "annual" else price

    def lookup_key(self, billing_cycle: str, currency: str = CURRENCY) -> str:
        return currency_key(f"{self.key}_{billing_cycle}", currency)


@dataclass(frozen=True)
class AddOn:
    key: str
    name: str
    unit: str
    monthly_cents_per_unit: int
    adds: str  # which limit it raises: users, plants or storage_gb
    currency: str = CURRENCY

    @property
    def lookup_key(self) -> str:
        return self.lookup_key_in(CURRENCY)

    def lookup_key_in(self, currency: str) -> str:
        return currency_key(f"addon_{self.key}_monthly", currency)

    def cents_per_unit(self, currency: str = CURRENCY) -> int:
        """Return the monthly price of one unit in ``currency``; KeyError for an unknown one."""
        return self.monthly_cents_per_unit if currency == CURRENCY else LOCAL_PRICES[currency][self.key]


def currency_key(lookup_key: str, currency: str) -> str:
    """Return the lookup key of the price in ``currency``: USD's as it is, others with ``_<currency>``."""
    if currency not in CURRENCIES:
        raise KeyError(currency)
    return lookup_key if currency == CURRENCY else f"{lookup_key}_{currency}"


def usd_cents(amount: int, currency: str) -> int:
    """Return ``amount`` (minor units of ``currency``) in US cents by ``USD_RATES``, halves rounded up."""
    return int((Decimal(int(amount)) * USD_RATES[currency]).quantize(Decimal(1), rounding=ROUND_HALF_UP))


FEATURES: tuple[Feature, ...] = (
    Feature("production_tracking", "Basic production tracking", "starter"),
    Feature("work_orders", "Work order management", "starter"),
    Feature("inventory", "Inventory management", "starter"),
    Feature("basic_reporting", "Basic reporting", "starter"),
    Feature("email_support", "Email support", "starter"),
    Feature("advanced_scheduling", "Advanced scheduling", "professional"),
    Feature("quality_management", "Quality management (NCRs)", "professional"),
    Feature("custom_fields", "Unlimited custom fields", "professional"),
    Feature("workflow_automation", "Workflow automation", "professional"),
    Feature("advanced_analytics", "Advanced analytics", "professional"),
    Feature("multi_plant", "Multi-plant operations", "professional"),
    Feature("priority_support", "Priority support", "professional"),
    Feature("onboarding_training", "Onboarding & training", "professional"),
    Feature("white_labeling", "White labeling", "enterprise"),
    Feature("sso_saml", "SSO / SAML", "enterprise"),
    Feature("dedicated_instance", "Dedicated instance", "enterprise"),
    Feature("sap_integration", "SAP integration", "enterprise"),
    Feature("api_access", "API access", "enterprise"),
    Feature("custom_domains", "Custom domains", "enterprise"),
    Feature("custom_development", "Custom development", "enterprise"),
    Feature("support_24_7", "24/7 support", "enterprise"),
)
FEATURE_KEYS = frozenset(f.key for f in FEATURES)

_RANKS = {"starter": 1, "professional": 2, "enterprise": 3}


def _features_up_to(tier_key: str) -> tuple[str, ...]:
    return tuple(f.key for f in FEATURES if _RANKS[f.tier] <= _RANKS[tier_key])


TIERS: dict[str, Tier] = {
    "starter": Tier(
        key="starter",
        name="Starter",
        tagline="For a single plant getting off spreadsheets.",
        monthly_cents=4900,
        annual_cents=52920,
        limits=Limits(users=3, plants=1, storage_gb=10),
        rank=1,
        features=_features_up_to("starter"),
    ),
    "professional": Tier(
        key="professional",
        name="Professional",
        tagline="For growing manufacturers with quality and several plants.",
        monthly_cents=19900,
        annual_cents=214920,
        limits=Limits(users=25, plants=5, storage_gb=100),
        rank=2,
        features=_features_up_to("professional"),
    ),
    "enterprise": Tier(
        key="enterprise",
        name="Enterprise",
        tagline="For groups that need integrations, SSO and no limits.",
        monthly_cents=99900,
        annual_cents=1079280,
        limits=Limits(users=None, plants=None, storage_gb=None),
        rank=3,
        features=_features_up_to("enterprise"),
    ),
}

ADD_ONS: dict[str, AddOn] = {
    "extra_user": AddOn("extra_user", "Extra user", "user", 500, "users"),
    "extra_plant": AddOn("extra_plant", "Extra plant", "plant", 2500, "plants"),
    "extra_storage": AddOn("extra_storage", "Extra storage", "GB", 50, "storage_gb"),
}

# Published local prices, round in each currency (annual = 10 % off twelve months), in cents and paise:
# (monthly, annual) for each tier, monthly per unit for each add-on.
LOCAL_PRICES: dict[str, dict[str, tuple[int, int] | int]] = {
    "eur": {"starter": (4500, 48600), "professional": (17900, 193320), "enterprise": (89900, 970920),
            "extra_user": 500, "extra_plant": 2300, "extra_storage": 50},
    "inr": {"starter": (299900, 3238920), "professional": (1199900, 12958920), "enterprise": (5999900, 64798920),
            "extra_user": 39900, "extra_plant": 199900, "extra_storage": 4000},
}


@dataclass(frozen=True)
class MeteredPrice:
    """A price Stripe bills in arrears from usage we report to its billing meter (``event_name``)."""

    lookup_key: str
    name: str
    unit: str
    event_name: str  # the Stripe billing meter's event name
    add_on: str  # the add-on whose monthly price per unit it charges

    @property
    def cents_per_unit(self) -> int:
        return ADD_ONS[self.add_on].monthly_cents_per_unit

    def cents_in(self, currency: str) -> int:
        return ADD_ONS[self.add_on].cents_per_unit(currency)

    def lookup_key_in(self, currency: str) -> str:
        return currency_key(self.lookup_key, currency)


# Storage beyond the plan's limit, for owners who opt in: each GB over the limit at the period's peak
# costs what one Extra storage add-on costs for that month (a GB-month). The meter keeps the last value
# reported in the period (formula "last"), and we report the period's peak so far, so a figure sent twice
# counts once.
STORAGE_OVERAGE = MeteredPrice("storage_overage_monthly", "Storage overage", "GB-month",
                               "unison_storage_overage_gb", "extra_storage")


def tier(key: str) -> Tier:
    """Return the tier with this key; raise KeyError for an unknown one."""
    return TIERS[key]


def lookup_keys_by_currency() -> dict[str, str]:
    """Return the currency of every lookup key the catalog sells (tiers, add-ons, storage overage)."""
    keys = {}
    for currency in CURRENCIES:
        for item in TIERS.values():
            keys.update({item.lookup_key(cycle, currency): currency for cycle in BILLING_CYCLES})
        keys.update({add_on.lookup_key_in(currency): currency for add_on in ADD_ONS.values()})
        keys[STORAGE_OVERAGE.lookup_key_in(currency)] = currency
    return keys


def feature(key: str) -> Feature:
    return next(f for f in FEATURES if f.key == key)


def lowest_tier_with(feature_key: str) -> Tier:
    """Return the cheapest tier that includes the feature."""
    return TIERS[feature(feature_key).tier]


def coupon_terms(coupon: dict) -> str:
    """Return a Stripe coupon's discount in words: "20% off for 3 months", "$10.00 off the first invoice"."""
    off = f"{float(coupon['percent_off']):g}% off" if coupon.get("percent_off") else \
        f"${int(coupon.get('amount_off') or 0) / 100:,.2f} off"
    duration = coupon.get("duration")
    if duration == "repeating":
        return f"{off} for {coupon.get('duration_in_months')} months"
    return f"{off} {'the first invoice' if duration == 'once' else 'for as long as you stay'}"
