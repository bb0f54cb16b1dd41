"""The plan catalog: the single source of truth for tiers, prices, limits, features and add-ons.

The pricing page, feature gates, limits, Stripe sync and metrics all read this module.
Money is integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CURRENCY = "usd"
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

    def price_cents(self, billing_cycle: str) -> int:
        """Return the price of one billing period on ``billing_cycle`` (monthly or annual)."""
        if billing_cycle not in BILLING_CYCLES:
            raise ValueError(f"Unknown billing cycle {billing_cycle!r}")
        return self.annual_cents if billing_cycle == "annual" else self.monthly_cents

    def monthly_equivalent_cents(self, billing_cycle: str) -> int:
        """Return what the tier contributes to MRR on this cycle (annual / 12)."""
        return self.annual_cents // 12 if billing_cycle == "annual" else self.monthly_cents

    def lookup_key(self, billing_cycle: str) -> str:
        return f"{self.key}_{billing_cycle}"


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
        return f"addon_{self.key}_monthly"


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


# Storage beyond the plan's limit, for owners who opt in: each GB over the limit at the period's peak
# costs what one Extra storage add-on costs for that month (a GB-month). The meter keeps the last value
# reported in the period (formula "last"), and we report the period's peak so far, so a figure sent twice
# counts once.
STORAGE_OVERAGE = MeteredPrice("storage_overage_monthly", "Storage overage", "GB-month",
                               "unison_storage_overage_gb", "extra_storage")


def tier(key: str) -> Tier:
    """Return the tier with this key; raise KeyError for an unknown one."""
    return TIERS[key]


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
