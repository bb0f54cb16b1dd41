"""The only module that talks to Stripe (and the only one that imports ``stripe``).

Every call goes to ``settings.STRIPE_API_BASE`` and turns Stripe's failures into our own errors:
``BillingUnavailable`` when Stripe cannot be reached or fails on its side (retry later), and
``BillingRejected`` when Stripe refuses the request (a declined card, a bad parameter).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings

from unison.errors import ApplicationError

TIMEOUT_SECONDS = 15
logger = logging.getLogger(__name__)


class BillingError(ApplicationError):
    """Stripe did not do what we asked; ``detail`` is safe to show to the customer."""

    code = "billing_error"
    status = 400

    def __init__(self, detail: str, **kwargs):
        super().__init__(detail, **kwargs)


class BillingUnavailable(BillingError):
    code = "billing_unavailable"
    status = 503


class BillingRejected(BillingError):
    code = "billing_rejected"


class CardDeclined(BillingRejected):
    code = "card_declined"
    status = 402


UNAVAILABLE = "Our payment provider could not be reached. Nothing was changed; please try again in a minute."
_client = stripe.RequestsClient(timeout=TIMEOUT_SECONDS)


def _misconfigured(exc: Exception) -> BillingUnavailable:
    """Return the refusal for a Stripe we cannot use as configured, naming what to set (and log it)."""
    if isinstance(exc, stripe.AuthenticationError):
        setting = "STRIPE_LIVE_SECRET_KEY" if settings.STRIPE_LIVE_MODE else "STRIPE_TEST_SECRET_KEY"
        message = f"Stripe refused our API key: set {setting} to a valid secret key. Nothing was changed."
    else:
        message = (f"Stripe could not be reached at {settings.STRIPE_API_BASE}: check STRIPE_API_BASE (make run "
                   f"starts a local stand-in when no Stripe key is set) and the network. Nothing was changed.")
    logger.error("Stripe is unusable: %s (%s)", message, exc)
    return BillingUnavailable(message)


def configure() -> None:
    """Point the stripe library (ours and dj-stripe's calls) at the configured API base."""
    stripe.api_base = settings.STRIPE_API_BASE
    stripe.default_http_client = _client
    stripe.max_network_retries = 0


def api_key() -> str:
    return settings.STRIPE_LIVE_SECRET_KEY if settings.STRIPE_LIVE_MODE else settings.STRIPE_TEST_SECRET_KEY


def _call(method: Callable[..., Any], *args, **kwargs) -> Any:
    configure()
    try:
        return method(*args, api_key=api_key(), **kwargs)
    except (stripe.APIConnectionError, stripe.AuthenticationError) as exc:
        raise _misconfigured(exc) from exc
    except (stripe.APIError, stripe.RateLimitError) as exc:
        logger.warning("Stripe failed on its side: %s", exc)
        raise BillingUnavailable(UNAVAILABLE) from exc
    except stripe.CardError as exc:
        raise CardDeclined(exc.user_message or "Your card was declined. Nothing was charged.") from exc
    except stripe.StripeError as exc:
        raise BillingRejected(f"Stripe refused the request: {exc.user_message or exc}") from exc


def is_missing(error: BillingError) -> bool:
    """Return whether the error says the object does not exist in Stripe."""
    cause = error.__cause__
    return isinstance(cause, stripe.InvalidRequestError) and cause.http_status == 404


# --- Catalog ----------------------------------------------------------------------------------

def product_retrieve(product_id: str) -> dict | None:
    try:
        return _call(stripe.Product.retrieve, product_id)
    except BillingRejected as error:
        if is_missing(error):
            return None
        raise


def product_create(*, product_id: str, name: str, metadata: dict) -> dict:
    return _call(stripe.Product.create, id=product_id, name=name, metadata=metadata)


def product_update(product_id: str, *, name: str) -> dict:
    return _call(stripe.Product.modify, product_id, name=name)


LOOKUP_KEYS_PER_LIST = 10  # Stripe's limit on lookup_keys in one list call


def prices_by_lookup_key(lookup_keys: list[str]) -> dict[str, dict]:
    """Return the active prices that carry these lookup keys, by lookup key."""
    prices = {}
    for start in range(0, len(lookup_keys), LOOKUP_KEYS_PER_LIST):
        found = _call(stripe.Price.list, lookup_keys=lookup_keys[start:start + LOOKUP_KEYS_PER_LIST], active=True,
                      limit=100)
        prices.update({price["lookup_key"]: price for price in found["data"]})
    return prices


def price_create(*, product_id: str, lookup_key: str, unit_amount: int, currency: str, interval: str,
                 nickname: str, meter: str | None = None) -> dict:
    """Create a recurring price and move the lookup key to it from any older price.

    With ``meter`` (a billing meter's id) the price is metered: Stripe bills what the meter aggregates.
    """
    recurring = {"interval": interval}
    if meter:
        recurring.update(usage_type="metered", meter=meter)
    return _call(
        stripe.Price.create,
        product=product_id,
        unit_amount=unit_amount,
        currency=currency,
        recurring=recurring,
        lookup_key=lookup_key,
        transfer_lookup_key=True,
        nickname=nickname,
    )


def price_deactivate(price_id: str) -> dict:
    return _call(stripe.Price.modify, price_id, active=False)


# --- Billing meters (usage-based prices) ------------------------------------------------------

def meter_for_event(event_name: str) -> dict | None:
    """Return the active billing meter that counts ``event_name``, or None."""
    found = _call(stripe.billing.Meter.list, status="active", limit=100)
    return next((meter for meter in found["data"] if meter["event_name"] == event_name), None)


def meter_create(*, display_name: str, event_name: str, formula: str) -> dict:
    return _call(stripe.billing.Meter.create, display_name=display_name, event_name=event_name,
                 default_aggregation={"formula": formula})


def meter_event_create(*, event_name: str, customer_id: str, value: int, identifier: str, timestamp: int) -> dict:
    """Report ``value`` for the customer to the meter of ``event_name``; Stripe keeps one event per identifier."""
    return _call(stripe.billing.MeterEvent.create, event_name=event_name, identifier=identifier, timestamp=timestamp,
                 payload={"stripe_customer_id": customer_id, "value": str(value)})


# --- Customers, Checkout and the Portal -------------------------------------------------------

def customer_create(*, email: str, name: str, metadata: dict, idempotency_key: str) -> dict:
    return _call(stripe.Customer.create, email=email, name=name, metadata=metadata,
                 idempotency_key=idempotency_key)


def customer_retrieve(customer_id: str) -> dict:
    return _call(stripe.Customer.retrieve, customer_id)


def customer_delete(customer_id: str) -> dict:
    """Delete the customer in Stripe: its subscriptions end at once and nothing is billed again."""
    return _call(stripe.Customer.delete, customer_id)


def checkout_session_create(*, customer_id: str, line_items: list[dict], trial_end: int | None,
                            success_url: str, cancel_url: str, metadata: dict, promotion_code_id: str = "") -> dict:
    subscription_data: dict = {"metadata": metadata}
    if trial_end:
        subscription_data["trial_end"] = trial_end
    return _call(
        stripe.checkout.Session.create,
        **_discounts(promotion_code_id),
        mode="subscription",
        customer=customer_id,
        line_items=line_items,
        subscription_data=subscription_data,
        success_url=success_url,
        cancel_url=cancel_url,
        client_reference_id=metadata.get("organization_id"),
        metadata=metadata,
        **CHECKOUT_TAX,
    )


# Stripe Tax at checkout: tax by the billing address Checkout collects, a tax ID if the buyer has one,
# both saved on the customer (so renewals and plan changes are taxed the same way).
CHECKOUT_TAX = {
    "automatic_tax": {"enabled": True},
    "tax_id_collection": {"enabled": True},
    "billing_address_collection": "required",
    "customer_update": {"address": "auto", "name": "auto"},
}


def customer_billing_details(customer_id: str) -> dict:
    """Return the customer's card (brand, last4, exp_month, exp_year of the default payment method; None
    without one), billing address and tax IDs, in one call."""
    customer = _call(stripe.Customer.retrieve, customer_id,
                     expand=["invoice_settings.default_payment_method", "tax_ids"])
    method = (customer.get("invoice_settings") or {}).get("default_payment_method")
    card = None if not method or isinstance(method, str) else method.get("card")
    tax_ids = (customer.get("tax_ids") or {}).get("data") or []
    return {"card": {key: card.get(key) for key in ("brand", "last4", "exp_month", "exp_year")} if card else None,
            "address": dict(customer.get("address") or {}),
            "tax_ids": [{"id": t["id"], "type": t["type"], "value": t["value"]} for t in tax_ids]}


def customer_address_update(customer_id: str, *, address: dict) -> dict:
    return _call(stripe.Customer.modify, customer_id, address=address)


def customer_tax_id_create(customer_id: str, *, type: str, value: str) -> dict:
    return _call(stripe.Customer.create_tax_id, customer_id, type=type, value=value)


def customer_tax_id_delete(customer_id: str, tax_id: str) -> dict:
    return _call(stripe.Customer.delete_tax_id, customer_id, tax_id)


def tax_rate_retrieve(tax_rate_id: str) -> dict:
    return _call(stripe.TaxRate.retrieve, tax_rate_id)


def checkout_session_retrieve(session_id: str) -> dict:
    return _call(stripe.checkout.Session.retrieve, session_id)


def checkout_session_expire(session_id: str) -> dict:
    return _call(stripe.checkout.Session.expire, session_id)


def portal_session_create(*, customer_id: str, return_url: str) -> dict:
    return _call(stripe.billing_portal.Session.create, customer=customer_id, return_url=return_url)


# --- Subscriptions and invoices ---------------------------------------------------------------

def subscription_retrieve(subscription_id: str) -> dict:
    return _call(stripe.Subscription.retrieve, subscription_id)


def _discounts(promotion_code_id: str) -> dict:
    return {"discounts": [{"promotion_code": promotion_code_id}]} if promotion_code_id else {}


def subscription_change_items(subscription_id: str, *, items: list[dict], proration_behavior: str,
                              trial_end: str | None = None, promotion_code_id: str = "") -> dict:
    """Change the subscription's items (and redeem the promotion code first, if given); with a payment due
    now, only if it is paid (else CardDeclined)."""
    extra = {"trial_end": trial_end} if trial_end else {}
    extra |= _discounts(promotion_code_id)
    return _call(stripe.Subscription.modify, subscription_id, items=items, proration_behavior=proration_behavior,
                 payment_behavior="pending_if_incomplete", **extra)


def subscription_preview(*, customer_id: str, subscription_id: str, items: list[dict], taxed: bool = False,
                         promotion_code_id: str = "") -> dict:
    """Return Stripe's preview of the invoice due now if the items changed (prorated, billed at once);
    ``taxed``: with Stripe Tax, as the subscription is billed."""
    extra = {"automatic_tax": {"enabled": True}} if taxed else {}
    return _call(stripe.Invoice.create_preview, customer=customer_id, subscription=subscription_id,
                 subscription_details={"items": items, "proration_behavior": "always_invoice"},
                 **extra, **_discounts(promotion_code_id))


def subscription_discount_set(subscription_id: str, *, promotion_code_id: str) -> dict:
    """Redeem the promotion code on the subscription: its next invoices are discounted."""
    return _call(stripe.Subscription.modify, subscription_id, **_discounts(promotion_code_id))


def first_invoice_preview(*, customer_id: str, items: list[dict], promotion_code_id: str = "") -> dict:
    """Return Stripe's preview, with Stripe Tax, of the first invoice of a new subscription to ``items``."""
    return _call(stripe.Invoice.create_preview, customer=customer_id, subscription_details={"items": items},
                 automatic_tax={"enabled": True}, **_discounts(promotion_code_id))


def schedule_retrieve(schedule_id: str) -> dict:
    return _call(stripe.SubscriptionSchedule.retrieve, schedule_id)


def schedule_from_subscription(subscription_id: str) -> dict:
    return _call(stripe.SubscriptionSchedule.create, from_subscription=subscription_id)


def schedule_set_phases(schedule_id: str, *, phases: list[dict]) -> dict:
    """Set the schedule's phases (the current one, then the next); it releases the subscription after."""
    return _call(stripe.SubscriptionSchedule.modify, schedule_id, phases=phases, end_behavior="release",
                 proration_behavior="none")


def schedule_release(schedule_id: str) -> dict:
    return _call(stripe.SubscriptionSchedule.release, schedule_id)


def subscription_set_cancel_at_period_end(subscription_id: str, *, cancel: bool) -> dict:
    return _call(stripe.Subscription.modify, subscription_id, cancel_at_period_end=cancel)


def subscription_set_trial_end(subscription_id: str, *, trial_end: int, idempotency_key: str = "") -> dict:
    """Move a trialing subscription's trial end (a Unix time); nothing is billed until then."""
    extra = {"idempotency_key": idempotency_key} if idempotency_key else {}
    return _call(stripe.Subscription.modify, subscription_id, trial_end=trial_end, proration_behavior="none", **extra)


def subscription_cancel_now(subscription_id: str) -> dict:
    return _call(stripe.Subscription.cancel, subscription_id)


def invoice_retrieve(invoice_id: str) -> dict:
    return _call(stripe.Invoice.retrieve, invoice_id)


# --- Coupons and promotion codes ---------------------------------------------------------------

def coupon_create(**fields) -> dict:
    """Create a coupon: ``percent_off`` or ``amount_off`` (+ ``currency``), ``duration`` (+ months), ``name``,
    ``redeem_by``, ``max_redemptions``, ``applies_to``; None values are left out."""
    return _call(stripe.Coupon.create, **{key: value for key, value in fields.items() if value is not None})


def promotion_code_create(*, coupon_id: str, code: str, idempotency_key: str) -> dict:
    return _call(stripe.PromotionCode.create, coupon=coupon_id, code=code, idempotency_key=idempotency_key)


def promotion_code_retrieve(promotion_code_id: str) -> dict:
    return _call(stripe.PromotionCode.retrieve, promotion_code_id)


def promotion_code_find(code: str) -> dict | None:
    """Return the active promotion code with exactly this code (its coupon expanded), or None."""
    found = _call(stripe.PromotionCode.list, code=code, active=True, limit=1)
    return found["data"][0] if found["data"] else None


# --- Webhooks ---------------------------------------------------------------------------------

def webhook_endpoint_create(*, url: str, events: list[str], metadata: dict) -> dict:
    return _call(stripe.WebhookEndpoint.create, url=url, enabled_events=events, metadata=metadata)


def webhook_signature_valid(payload: bytes, header: str, secret: str, tolerance: int) -> bool:
    """Return whether ``header`` (Stripe-Signature) signs ``payload`` with ``secret`` at a time within
    ``tolerance`` seconds of now, either way (Stripe's check refuses only the old, not the future-dated)."""
    timestamps = [part.strip()[2:] for part in header.split(",") if part.strip().startswith("t=")]
    try:
        signed_at = int(timestamps[0]) if len(timestamps) == 1 else None
    except ValueError:
        signed_at = None
    if signed_at is None or abs(time.time() - signed_at) > tolerance:
        return False
    try:
        return stripe.WebhookSignature.verify_header(payload.decode("utf-8"), header, secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        return False


def prices_by_ids(price_ids: list[str]) -> dict[str, dict]:
    """Return the prices with these ids, by id (one call per price: Stripe lists no set of ids)."""
    return {price_id: _call(stripe.Price.retrieve, price_id) for price_id in dict.fromkeys(price_ids)}
