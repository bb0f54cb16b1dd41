"""Coupons and their promotion codes: made in Stripe first, then mirrored (dj-stripe's Coupon and PromotionCode);
and the check a customer's code passes before Stripe is asked to redeem it.

A code names one active Stripe promotion code; codes are kept upper-case, so a customer may type any case.
A coupon's plans are its ``applies_to`` products (``unison_<tier>``); none means every plan.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from djstripe.models import Coupon, PromotionCode

from billing import gateway
from billing.selectors import moment
from subscriptions import catalog
from unison.errors import ApplicationError

coupon_terms = catalog.coupon_terms

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,40}$"
DURATIONS = ("once", "repeating", "forever")
MAX_MONTHS = 36
FIELD = "promotion_code"


def product_of(tier: str) -> str:
    """Return the Stripe product id of the tier (as ``billing.catalog_sync`` makes it)."""
    return f"unison_{tier}"


def _coupon_validate(
    *, percent_off, amount_off_cents, duration, duration_in_months, tiers, redeem_by, max_redemptions, code
) -> None:
    errors: dict[str, list[str]] = {}
    if (percent_off is None) == (amount_off_cents is None):
        errors["percent_off"] = ["Give either a percentage off or an amount off, not both and not neither."]
    elif percent_off is not None and not 0 < percent_off <= 100:
        errors["percent_off"] = ["A percentage off is more than 0 and at most 100."]
    elif amount_off_cents is not None and amount_off_cents < 1:
        errors["amount_off_cents"] = ["An amount off is at least 1 cent."]
    if duration not in DURATIONS:
        errors["duration"] = ["The duration is once, repeating or forever."]
    elif duration == "repeating" and not (duration_in_months and 1 <= duration_in_months <= MAX_MONTHS):
        errors["duration_in_months"] = [f"A repeating coupon lasts 1 to {MAX_MONTHS} months: say how many."]
    elif duration != "repeating" and duration_in_months:
        errors["duration_in_months"] = ["Only a repeating coupon lasts a number of months."]
    unknown = [tier for tier in tiers if tier not in catalog.TIERS]
    if unknown:
        errors["tiers"] = [f"No such plan: {', '.join(unknown)}."]
    if redeem_by is not None and redeem_by <= timezone.now():
        errors["redeem_by"] = ["The last day to redeem is in the future."]
    if max_redemptions is not None and max_redemptions < 1:
        errors["max_redemptions"] = ["At least one redemption, or leave it empty for no limit."]
    if not re.match(CODE_PATTERN, code or ""):
        errors["code"] = ["A code is 3 to 40 letters, digits, hyphens or underscores."]
    elif gateway.promotion_code_find(code.upper()):
        errors["code"] = [f"The code {code.upper()} is taken by another active promotion code."]
    if errors:
        raise ValidationError(errors)


def billing_coupon_create(
    *,
    name: str,
    code: str,
    duration: str,
    percent_off: float | None = None,
    amount_off_cents: int | None = None,
    duration_in_months: int | None = None,
    tiers: list[str] | None = None,
    redeem_by: datetime | None = None,
    max_redemptions: int | None = None,
) -> PromotionCode:
    """Create the coupon and its promotion code in Stripe, mirror both and return our promotion code.

    Raise ValidationError (naming the field) for bad input or a code already taken; nothing is made then.
    """
    tiers = list(tiers or [])
    _coupon_validate(
        percent_off=percent_off,
        amount_off_cents=amount_off_cents,
        duration=duration,
        duration_in_months=duration_in_months,
        tiers=tiers,
        redeem_by=redeem_by,
        max_redemptions=max_redemptions,
        code=code,
    )
    coupon = gateway.coupon_create(
        name=name or code.upper(),
        percent_off=percent_off,
        amount_off=amount_off_cents,
        currency=catalog.CURRENCY if amount_off_cents is not None else None,
        duration=duration,
        duration_in_months=duration_in_months if duration == "repeating" else None,
        redeem_by=int(redeem_by.timestamp()) if redeem_by else None,
        max_redemptions=max_redemptions,
        applies_to={"products": [product_of(tier) for tier in tiers]} if tiers else None,
    )
    promotion = gateway.promotion_code_create(
        coupon_id=coupon["id"], code=code.upper(), idempotency_key=f"promo-{coupon['id']}-{uuid.uuid4().hex[:8]}"
    )
    Coupon.sync_from_stripe_data(coupon, api_key=gateway.api_key())
    return PromotionCode.sync_from_stripe_data(promotion, api_key=gateway.api_key())


def _refuse(message: str, code: str, status: int = 409) -> ApplicationError:
    return ApplicationError(message, code=code, status=status, field=FIELD)


def promotion_code_redeemable(*, code: str, tier: str, currency: str = catalog.CURRENCY) -> dict:
    """Return Stripe's promotion code for ``code`` if it can be redeemed on ``tier`` billed in ``currency``.

    Raise ApplicationError naming ``promotion_code``: unknown (400), expired, used up (409), not for the
    plan (400), or an amount off in another currency (400).
    """
    code = (code or "").strip().upper()
    promotion = gateway.promotion_code_find(code) if re.match(CODE_PATTERN, code) else None
    if promotion is None:
        raise _refuse(
            f"There is no promotion code {code or '(blank)'}: check how it is spelt.", "promotion_code_unknown", 400
        )
    coupon, now = promotion["coupon"], timezone.now()
    ends = [moment(at) for at in (promotion.get("expires_at"), coupon.get("redeem_by")) if at]
    if ends and min(ends) <= now:
        raise _refuse(f"The promotion code {code} expired on {date_format(min(ends))}.", "promotion_code_expired")
    for limited in (promotion, coupon):
        if limited.get("max_redemptions") and limited.get("times_redeemed", 0) >= limited["max_redemptions"]:
            raise _refuse(
                f"The promotion code {code} has been used as many times as it may be.", "promotion_code_used_up"
            )
    products = (coupon.get("applies_to") or {}).get("products") or []
    if products and product_of(tier) not in products:
        names = [t.name for t in catalog.TIERS.values() if product_of(t.key) in products]
        raise _refuse(
            f"The promotion code {code} is for {', '.join(names)} only, not {catalog.tier(tier).name}.",
            "promotion_code_not_for_plan",
            400,
        )
    if coupon.get("amount_off") and (coupon.get("currency") or catalog.CURRENCY) != currency:
        raise _refuse(
            f"The promotion code {code} takes an amount in {(coupon.get('currency') or catalog.CURRENCY).upper()} "
            f"off, and this workspace pays in {currency.upper()}.",
            "promotion_code_wrong_currency",
            400,
        )
    if not coupon.get("valid", True):
        raise _refuse(f"The promotion code {code} can no longer be redeemed.", "promotion_code_expired")
    return promotion


def discount_cents(coupon: dict, amount_cents: int) -> int:
    """Return what the coupon takes off ``amount_cents`` (Stripe's rounding: percent to the nearest cent)."""
    if amount_cents <= 0:
        return 0
    if coupon.get("percent_off"):
        return int(amount_cents * float(coupon["percent_off"]) / 100 + 0.5)
    return min(amount_cents, int(coupon.get("amount_off") or 0))
