"""Stripe Checkout: the one way a workspace without a Stripe subscription starts paying.

One workspace, one Stripe subscription: the subscription row is locked while a session is
opened, an open session for the same plan is handed out again, one for another plan is refused
until it is finished or abandoned, and none is opened while a live Stripe subscription exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from billing import gateway
from billing.gateway import BillingError
from billing.services.coupons import promotion_code_redeemable
from billing.services.customers import billing_customer_ensure
from subscriptions import catalog
from subscriptions.models import Status, Subscription
from subscriptions.services import plan_validate, subscription_is_in_stripe
from tenants.models import Organization
from unison.errors import ApplicationError

# Stripe Checkout refuses a trial_end less than 48 hours ahead: shorter trials end at checkout.
CHECKOUT_MIN_TRIAL = timedelta(hours=48)


class SubscriptionExists(BillingError):
    """The organisation already pays through a live Stripe subscription: change it instead."""

    code = "subscription_exists"
    status = 409


class CheckoutOpen(BillingError):
    """A checkout for another plan is open: finish it, or go back from it, first."""

    code = "checkout_open"
    status = 409


class CurrencyFixed(BillingError):
    """The workspace pays in another currency: Stripe bills a customer in the one of its first subscription."""

    code = "currency_fixed"
    status = 409


def lookup_keys(tier: str, billing_cycle: str, add_ons: dict[str, int],
                currency: str = catalog.CURRENCY) -> list[tuple[str, int]]:
    """Return the (price lookup key, quantity) pairs that bill the plan in ``currency``."""
    plan_validate(tier=tier, billing_cycle=billing_cycle, add_ons=add_ons)
    keys = [(catalog.tier(tier).lookup_key(billing_cycle, currency), 1)]
    keys += [(catalog.ADD_ONS[kind].lookup_key_in(currency), quantity)
             for kind, quantity in sorted(add_ons.items()) if quantity]
    return keys


def currency_validate(currency: str) -> str:
    """Return the currency code in lower case; raise ApplicationError (400, ``currency``) for one we do not sell in."""
    code = str(currency or "").strip().lower()
    if code not in catalog.CURRENCIES:
        raise ApplicationError(f"Unknown currency {str(currency)[:10]!r}: choose one of "
                               f"{', '.join(c.upper() for c in catalog.CURRENCIES)}.", code="unknown_currency",
                               field="currency")
    return code


def currency_for(subscription: Subscription, requested: str | None) -> str:
    """Return the currency the subscription's next checkout or change bills in: ``requested`` (validated) or its own.

    Raise CurrencyFixed (409, ``currency``) for another currency once Stripe has billed it in one.
    """
    if not requested:
        return subscription.currency
    currency = currency_validate(requested)
    if subscription.currency_fixed and currency != subscription.currency:
        raise CurrencyFixed(f"This workspace pays in {subscription.currency.upper()}, fixed at its first checkout: "
                            f"it cannot change to {currency.upper()}.", field="currency")
    return currency


def prices_for(keys: list[str]) -> dict[str, dict]:
    """Return Stripe's prices by lookup key; raise BillingError if the catalog is not synced."""
    prices = gateway.prices_by_lookup_key(keys)
    missing = sorted(set(keys) - set(prices))
    if missing:
        raise gateway.BillingUnavailable(
            f"Prices {', '.join(missing)} are missing in Stripe; an operator must run sync_stripe_catalog."
        )
    return prices


def price_ids(keys: list[str]) -> dict[str, str]:
    """Return Stripe price ids by lookup key (see ``prices_for``)."""
    return {key: price["id"] for key, price in prices_for(keys).items()}


def trial_kept(subscription: Subscription, tier: str) -> bool:
    """Return whether a checkout for ``tier`` keeps the rest of the trial (a tier above the trial's is paid now)."""
    return (subscription.status == Status.TRIALING and subscription.trial_ends_at is not None
            and catalog.tier(tier).rank <= catalog.tier(catalog.TRIAL_TIER).rank
            and subscription.trial_ends_at - timezone.now() >= CHECKOUT_MIN_TRIAL)


@transaction.atomic
def billing_checkout_start(
    *, organization: Organization, tier: str, billing_cycle: str, add_ons: dict[str, int] | None = None,
    success_url: str, cancel_url: str, promotion_code: str = "", currency: str | None = None,
) -> str:
    """Open (or hand out again) the Stripe Checkout session for the plan and return its URL.

    A trialing organisation keeps its remaining trial days for a plan up to the trial's tier. A
    ``promotion_code`` is checked first (ApplicationError naming it) and redeemed by Stripe at checkout.
    The prices are in ``currency`` (else the workspace's own; see ``currency_for``).
    """
    add_ons = {kind: quantity for kind, quantity in (add_ons or {}).items() if quantity}
    subscription = Subscription.objects.select_for_update().get(organization=organization)
    currency = currency_for(subscription, currency)
    promotion = promotion_code_redeemable(code=promotion_code, tier=tier, currency=currency) if promotion_code else None
    wanted = lookup_keys(tier, billing_cycle, add_ons, currency)
    if subscription_is_in_stripe(subscription):
        raise SubscriptionExists(
            "You already have a subscription in Stripe: change its plan here or in the billing portal instead."
        )
    if subscription.stripe_subscription_id and subscription.suspension_reason == "payment_failed" \
            and subscription.status == Status.SUSPENDED:
        # Stripe still holds the unpaid subscription and its open invoice: a second one would bill twice.
        raise BillingError("Your last payment failed and Stripe stopped retrying: pay the open invoice in the billing "
                           "portal (Manage payment method), or cancel to start afresh.", code="payment_past_due",
                           status=409, field="status")
    plan = {"tier": tier, "billing_cycle": billing_cycle, "add_ons": add_ons,
            **({"promotion_code": promotion["code"]} if promotion else {})}
    if currency != catalog.CURRENCY:
        plan["currency"] = currency  # a checkout in another currency is another plan
    if subscription.checkout_session_id:
        session = gateway.checkout_session_retrieve(subscription.checkout_session_id)
        if session["status"] == "open":
            if subscription.checkout_plan == plan:
                return session["url"]
            raise CheckoutOpen("A checkout for another plan is already open in another tab or window: finish it, "
                               "or go back from it, before you choose again.", extra={"checkout_url": session["url"]})
        if session["status"] == "complete":
            raise SubscriptionExists("Your checkout is complete: Stripe confirms the subscription in a moment.")
    customer_id = billing_customer_ensure(organization=organization)
    ids = price_ids([key for key, _ in wanted])
    trial_end = int(subscription.trial_ends_at.timestamp()) if trial_kept(subscription, tier) else None
    session = gateway.checkout_session_create(
        customer_id=customer_id,
        line_items=[{"price": ids[key], "quantity": quantity} for key, quantity in wanted],
        trial_end=trial_end,
        success_url=success_url,
        cancel_url=cancel_url,
        metadata={"organization_id": str(organization.pk), "tier": tier, "billing_cycle": billing_cycle},
        promotion_code_id=promotion["id"] if promotion else "",
    )
    subscription.checkout_session_id, subscription.checkout_plan = session["id"], plan
    subscription.currency = currency  # the choice until Stripe's subscription fixes it
    subscription.save(update_fields=["checkout_session_id", "checkout_plan", "currency", "updated_at"])
    return session["url"]


@transaction.atomic
def billing_checkout_abandon(*, organization: Organization) -> bool:
    """Expire the organisation's open checkout (the customer came back without paying); return whether one was."""
    subscription = Subscription.objects.select_for_update().get(organization=organization)
    if not subscription.checkout_session_id:
        return False
    session = gateway.checkout_session_retrieve(subscription.checkout_session_id)
    if session["status"] == "complete":
        return False
    if session["status"] == "open":
        gateway.checkout_session_expire(session["id"])
    subscription.checkout_session_id, subscription.checkout_plan = "", {}
    subscription.save(update_fields=["checkout_session_id", "checkout_plan", "updated_at"])
    return True
