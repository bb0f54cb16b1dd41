"""Read a Stripe subscription as our statuses and catalog see it, and mirror it onto ours.

MRR of a Stripe subscription (``mrr_of``), in its currency: while Stripe's status is ``active`` or ``past_due``,
the sum over its licensed items (metered usage is billed in arrears, not recurring) of price × quantity, normalised to a month (a yearly price / 12, a price
every N months / N), less its discount (percent off, or an amount off per invoice normalised the
same way) while it lasts: a ``once`` coupon comes off the first invoice only and never off MRR, a
repeating one until its ``end``, a ``forever`` one always; in integer cents rounded down; 0 in every
other status (trials included).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from billing import gateway
from billing.selectors import moment
from billing.services.coupons import coupon_terms
from subscriptions import catalog
from subscriptions.models import Status, Subscription
from subscriptions.services import BillingState, MirrorResult, subscription_mirror

STATUSES = {
    "trialing": Status.TRIALING,
    "active": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "unpaid": Status.SUSPENDED,
    "paused": Status.SUSPENDED,
    "canceled": Status.CANCELLED,
    "incomplete_expired": Status.CANCELLED,
}  # "incomplete" (a first payment not made yet) is not mirrored: the trial or lapse stays as it is
PAYING = ("active", "past_due")
# Every currency's price of a tier or add-on stands for the same plan.
TIERS_BY_LOOKUP_KEY = {t.lookup_key(cycle, currency): (t.key, cycle) for currency in catalog.CURRENCIES
                       for t in catalog.TIERS.values() for cycle in catalog.BILLING_CYCLES}
ADD_ONS_BY_LOOKUP_KEY = {a.lookup_key_in(currency): a.key for currency in catalog.CURRENCIES
                         for a in catalog.ADD_ONS.values()}
OVERAGE_LOOKUP_KEYS = frozenset(catalog.STORAGE_OVERAGE.lookup_key_in(c) for c in catalog.CURRENCIES)


def plan_of(stripe_subscription) -> tuple[str | None, str | None, dict[str, int]]:
    """Return the tier, billing cycle and add-on quantities that the subscription's prices stand for."""
    return _plan_of_items([(item.get("price") or {}, item.get("quantity") or 1)
                           for item in stripe_subscription["items"]["data"]])


def _plan_of_items(items: list[tuple[dict, int]]) -> tuple[str | None, str | None, dict[str, int]]:
    tier = cycle = None
    add_ons: dict[str, int] = {}
    for price, quantity in items:
        key = price.get("lookup_key") or ""
        if key in ADD_ONS_BY_LOOKUP_KEY:
            add_ons[ADD_ONS_BY_LOOKUP_KEY[key]] = quantity
        elif key in TIERS_BY_LOOKUP_KEY:
            tier, cycle = TIERS_BY_LOOKUP_KEY[key]
    return tier, cycle, add_ons


def is_metered(price: dict) -> bool:
    """Return whether the price bills reported usage (in arrears) rather than a quantity."""
    return ((price or {}).get("recurring") or {}).get("usage_type") == "metered"


def storage_overage_item(stripe_subscription) -> dict | None:
    """Return the subscription's item that bills storage overage, or None."""
    return next((item for item in stripe_subscription["items"]["data"]
                 if (item.get("price") or {}).get("lookup_key") in OVERAGE_LOOKUP_KEYS), None)


def currency_of(stripe_subscription) -> str:
    """Return the currency Stripe bills the subscription in (its own, else its first price's), lower case."""
    items = stripe_subscription["items"]["data"]
    currency = stripe_subscription.get("currency") or (items and (items[0].get("price") or {}).get("currency"))
    return (currency or "").lower()


def _months(recurring: dict | None) -> int:
    recurring = recurring or {}
    count = int(recurring.get("interval_count") or 1)
    return count * {"year": 12, "month": 1, "week": 0, "day": 0}.get(recurring.get("interval"), 1) or 1


def mrr_of(stripe_subscription) -> int:
    """Return what Stripe bills the subscription a month, net of discounts, in cents (see the module)."""
    if stripe_subscription.get("status") not in PAYING:
        return 0
    per_year = months_of_invoice = 0
    for item in stripe_subscription["items"]["data"]:
        price = item.get("price") or {}
        if is_metered(price):
            continue  # usage billed in arrears is not recurring revenue
        months = _months(price.get("recurring"))
        months_of_invoice = months_of_invoice or months
        per_year += int(price.get("unit_amount") or 0) * int(item.get("quantity") or 1) * 12 // months
    for discount in _discounts(stripe_subscription):
        coupon = discount.get("coupon") or {}
        if coupon.get("duration") == "once" or (discount.get("end") and discount["end"] <= timezone.now().timestamp()):
            continue
        if coupon.get("percent_off"):
            per_year -= int(per_year * float(coupon["percent_off"]) / 100)
        elif coupon.get("amount_off"):
            per_year -= int(coupon["amount_off"]) * 12 // (months_of_invoice or 1)
    return max(0, per_year) // 12


def _discounts(stripe_subscription) -> list[dict]:
    found = [d for d in (stripe_subscription.get("discounts") or []) if isinstance(d, dict)]
    if stripe_subscription.get("discount"):
        found.append(stripe_subscription["discount"])
    return found


def discount_of(stripe_subscription) -> dict:
    """Return the subscription's discount as ``Subscription.discount`` keeps it ({} without one)."""
    found = _discounts(stripe_subscription)
    if not found:
        return {}
    discount, promotion = found[0], found[0].get("promotion_code")
    coupon = discount.get("coupon") or {}
    if isinstance(promotion, str) and promotion:
        promotion = gateway.promotion_code_retrieve(promotion)
    return {
        "coupon_id": coupon.get("id"), "promotion_code": (promotion or {}).get("code", ""),
        "terms": coupon_terms(coupon), "percent_off": coupon.get("percent_off"),
        "amount_off": coupon.get("amount_off"), "duration": coupon.get("duration"),
        "duration_in_months": coupon.get("duration_in_months"),
        "start": _iso(discount.get("start")), "end": _iso(discount.get("end")),
    }


def _iso(timestamp) -> str | None:
    return moment(timestamp).isoformat() if timestamp else None


def _period(stripe_object) -> tuple[datetime | None, datetime | None]:
    """Return the current period of a subscription (or of its first item, on newer API versions)."""
    start, end = stripe_object.get("current_period_start"), stripe_object.get("current_period_end")
    items = (stripe_object.get("items") or {}).get("data") or []
    if not end and items:
        start, end = items[0].get("current_period_start"), items[0].get("current_period_end")
    return moment(start), moment(end)


def _pending_plan(stripe_subscription) -> dict:
    """Return the change the subscription's schedule makes at a later phase, as a plan; {} if none."""
    schedule = stripe_subscription.get("schedule")
    if not schedule:
        return {}
    schedule = gateway.schedule_retrieve(schedule if isinstance(schedule, str) else schedule["id"])
    if schedule.get("status") not in ("active", "not_started"):
        return {}
    now = timezone.now().timestamp()
    upcoming = [phase for phase in schedule.get("phases") or [] if (phase.get("start_date") or 0) > now]
    if not upcoming:
        return {}
    phase = upcoming[0]
    prices = gateway.prices_by_ids([item["price"] if isinstance(item["price"], str) else item["price"]["id"]
                                    for item in phase["items"]])
    tier, cycle, add_ons = _plan_of_items([(prices.get(item["price"] if isinstance(item["price"], str)
                                                       else item["price"]["id"], {}), item.get("quantity") or 1)
                                           for item in phase["items"]])
    if tier is None:
        return {}
    return {"tier": tier, "billing_cycle": cycle, "add_ons": add_ons,
            "starts_at": moment(phase["start_date"]).isoformat(), "schedule": schedule["id"]}


def billing_state(stripe_subscription) -> BillingState | None:
    """Return the Stripe subscription as a ``BillingState``; None while it waits for a first payment."""
    status = STATUSES.get(stripe_subscription["status"])
    if status is None:
        return None
    tier, cycle, add_ons = plan_of(stripe_subscription)
    start, end = _period(stripe_subscription)
    overage = storage_overage_item(stripe_subscription)
    return BillingState(
        stripe_subscription_id=stripe_subscription["id"], status=status, tier=tier or "", billing_cycle=cycle or "",
        add_ons=add_ons, mrr_cents=mrr_of(stripe_subscription), period_start=start, period_end=end,
        trial_end=moment(stripe_subscription.get("trial_end")),
        cancel_at_period_end=bool(stripe_subscription.get("cancel_at_period_end")),
        pending_plan=_pending_plan(stripe_subscription) if status != Status.CANCELLED else {},
        storage_overage_item_id=overage["id"] if overage and status != Status.CANCELLED else "",
        discount=discount_of(stripe_subscription),
        currency=currency_of(stripe_subscription),
    )


def billing_subscription_sync(*, subscription: Subscription, stripe_subscription=None, stripe_subscription_id="",
                              actor: str = "stripe") -> MirrorResult:
    """Make our subscription what Stripe's is now (read afresh unless given); return what happened."""
    if stripe_subscription is None:
        stripe_subscription = gateway.subscription_retrieve(stripe_subscription_id)
    state = billing_state(stripe_subscription)
    if state is None:
        return MirrorResult(subscription, "unchanged",
                            f"Stripe subscription {stripe_subscription['id']} waits for its first payment.")
    return subscription_mirror(subscription=subscription, state=state, actor=actor)
