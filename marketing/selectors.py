"""Reads for the public pages: everything shown about plans comes from the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from subscriptions import catalog
from subscriptions.templatetags.subscription_tags import cents


@dataclass(frozen=True)
class MatrixRow:
    name: str
    cells: tuple[str, ...]  # one per tier, in tier order; "" means not included
    is_limit: bool = False


def tiers_in_order() -> list[catalog.Tier]:
    """Return the catalog's tiers from cheapest to most complete."""
    return sorted(catalog.TIERS.values(), key=lambda tier: tier.rank)


def starting_price_cents(currency: str = catalog.CURRENCY) -> int:
    """Return the lowest monthly price of any tier in ``currency``."""
    return min(tier.price_cents("monthly", currency) for tier in catalog.TIERS.values())


@dataclass(frozen=True)
class PricedTier:
    tier: catalog.Tier
    monthly_cents: int
    annual_cents: int

    @property
    def annual_saving_cents(self) -> int:
        return self.monthly_cents * 12 - self.annual_cents


def priced_tiers(currency: str) -> list[PricedTier]:
    """Return the tiers in order with their published prices in ``currency``."""
    return [PricedTier(tier, *tier.prices(currency)) for tier in tiers_in_order()]


def priced_add_ons(currency: str) -> list[tuple[catalog.AddOn, int]]:
    """Return each add-on with its monthly price per unit in ``currency``."""
    return [(add_on, add_on.cents_per_unit(currency)) for add_on in catalog.ADD_ONS.values()]


def _limit_text(value: int | None, unit: str = "") -> str:
    if value is None:
        return "Unlimited"
    return f"{value:,} {unit}" if unit else f"{value:,}"


def feature_matrix() -> list[MatrixRow]:
    """Return the limits and then every catalog feature, with what each tier gets."""
    tiers = tiers_in_order()
    rows = [
        MatrixRow("Users", tuple(_limit_text(t.limits.users) for t in tiers), True),
        MatrixRow("Plants", tuple(_limit_text(t.limits.plants) for t in tiers), True),
        MatrixRow("Storage", tuple(_limit_text(t.limits.storage_gb, "GB") for t in tiers), True),
    ]
    rows += [
        MatrixRow(feature.name, tuple("Included" if feature.key in t.features else "" for t in tiers))
        for feature in catalog.FEATURES
    ]
    return rows


def faq_entries(currency: str = catalog.CURRENCY) -> list[tuple[str, str]]:
    """Return the pricing page's questions and answers, with every figure read from the catalog in ``currency``."""
    trial = catalog.tier(catalog.TRIAL_TIER)
    starter, professional, enterprise = tiers_in_order()
    add_ons = {add_on.key: cents(price, currency) for add_on, price in priced_add_ons(currency)}
    monthly, annual = starter.prices(currency)
    return [
        (
            "How does the free trial work?",
            f"You get {catalog.TRIAL_DAYS} days of {trial.name} with every {trial.name} feature. "
            "No card is needed to start; the workspace is yours the moment you sign up.",
        ),
        (
            "What happens when the trial ends?",
            "Choose a plan and pay by card to carry on. If you don't, the workspace becomes read-only: "
            "you can still sign in, see and export your data, and subscribe at any time.",
        ),
        (
            "How much do I save by paying annually?",
            f"Annual billing costs {catalog.ANNUAL_DISCOUNT_PERCENT}% less than twelve monthly payments: "
            f"{starter.name} is {cents(annual, currency)} a year instead of {cents(monthly * 12, currency)}.",
        ),
        (
            "Can I change plans later?",
            "Yes. Upgrades take effect immediately and are prorated; downgrades take effect at the end of "
            "the current billing period, as long as your usage fits the smaller plan.",
        ),
        (
            "What if I need more users or plants than my plan includes?",
            f"Add them one at a time: extra users are {add_ons['extra_user']} and extra plants "
            f"{add_ons['extra_plant']} a month each.",
        ),
        (
            "How much storage do I get?",
            f"{starter.name} includes {starter.limits.storage_gb} GB, {professional.name} "
            f"{professional.limits.storage_gb} GB, and {enterprise.name} has no limit. Extra storage is "
            f"{add_ons['extra_storage']} per GB a month.",
        ),
        (
            "Is my data kept apart from other customers'?",
            "Yes. Every workspace has its own database schema and its own address; no query, file or "
            "session is shared between workspaces.",
        ),
        (
            "Which payment methods do you accept?",
            "All major credit and debit cards, through Stripe. Invoices are available in your workspace's "
            "billing page. Prices are in US dollars, euros or Indian rupees: your workspace pays in the "
            "currency of its first checkout, and keeps it.",
        ),
        (
            "Can I cancel at any time?",
            "Yes. Your plan stays active until the end of the period you've paid for, and your data stays "
            "readable and exportable after that.",
        ),
        (
            f"What does {enterprise.name} add?",
            "No limits on users, plants or storage, plus "
            + ", ".join(f.name for f in catalog.FEATURES if f.tier == enterprise.key)
            + ".",
        ),
    ]
