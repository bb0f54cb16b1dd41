"""The one path for every paid plan change (tier, cycle and add-ons in one call), its preview,
cancellation and its undoing, the end of a trial Stripe runs (an operator's deal), and the Billing Portal.

- No live Stripe subscription: Stripe Checkout first (``PaymentRequired`` with its URL).
- Stripe runs the trial (card on file): the items change now, nothing is billed until the trial
  ends; a tier above the trial's ends the trial and is billed now.
- Paying: an upgrade (a bigger tier, or more add-ons, on the same cycle) changes now and Stripe
  bills the prorated difference at once, only if it is paid; a downgrade, a cycle change or fewer
  add-ons waits for the end of the paid period in a Stripe subscription schedule, so Stripe bills
  the new price at the renewal itself. Choosing the current plan again undoes a pending change.

Our row changes only by mirroring what Stripe answers (``billing_subscription_sync``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from billing import gateway
from billing.gateway import BillingError
from billing.plan_timing import AT_PERIOD_END, CHECKOUT, NOW, UNCHANGED, UNDONE, change_timing
from billing.selectors import moment
from billing.services.checkout import (
    billing_checkout_start,
    currency_for,
    lookup_keys,
    price_ids,
    prices_for,
    trial_kept,
)
from billing.services.coupons import billing_coupon_create, coupon_terms, discount_cents, promotion_code_redeemable
from billing.services.customers import billing_customer_ensure
from billing.services.mirror import billing_subscription_sync, is_metered, plan_of
from billing.services.overage import billing_storage_overage_report
from billing.services.tax import invoice_tax
from subscriptions import catalog
from subscriptions.entitlements import active_add_ons, limits_with_add_ons
from subscriptions.limits import limits_exceeded
from subscriptions.models import Status, Subscription
from subscriptions.services import (
    extension_days_validate,
    plan_validate,
    subscription_cancel,
    subscription_extend_trial,
    subscription_is_in_stripe,
    subscription_resume,
)
from subscriptions.usage import usage_measure
from tenants.models import Organization
from unison.errors import ApplicationError, PaymentRequired


@dataclass(frozen=True)
class PlanChange:
    when: str  # now, at_period_end, unchanged, undone
    detail: str


def _wanted(subscription: Subscription, tier: str, billing_cycle: str | None,
            add_ons: dict[str, int] | None) -> tuple[str, str, dict[str, int]]:
    cycle = billing_cycle or subscription.billing_cycle
    chosen = dict(active_add_ons(subscription)) if add_ons is None else add_ons
    if cycle == "annual" and add_ons is None:
        chosen = {}
    chosen = {kind: quantity for kind, quantity in chosen.items() if quantity}
    plan_validate(tier=tier, billing_cycle=cycle, add_ons=chosen)
    return tier, cycle, chosen


def _fits(subscription: Subscription, tier: str, add_ons: dict[str, int]) -> None:
    """Refuse a smaller plan that today's usage does not fit, naming each excess on ``tier``."""
    limits = limits_with_add_ons(tier, add_ons.items())
    excess = limits_exceeded(usage_measure(subscription.organization), limits, catalog.tier(tier).name)
    if excess:
        raise ValidationError({"tier": [violation.message for violation in excess]})


def _items_now(stripe_subscription, ids: dict[str, str], wanted: list[tuple[str, int]]) -> list[dict]:
    """Return the item changes that turn the subscription's items into ``wanted`` (lookup key, quantity)."""
    wanted_keys = dict(wanted)
    tier_key = wanted[0][0]
    changes = []
    for item in stripe_subscription["items"]["data"]:
        key = (item.get("price") or {}).get("lookup_key") or ""
        if is_metered(item.get("price")):
            continue  # storage overage: billed by use, kept whatever the plan
        if key in wanted_keys:
            changes.append({"id": item["id"], "price": ids[key], "quantity": wanted_keys.pop(key)})
        elif key.startswith("addon_") or tier_key not in wanted_keys:
            changes.append({"id": item["id"], "deleted": True})
        else:  # the tier's item: swap its price
            changes.append({"id": item["id"], "price": ids[tier_key], "quantity": 1})
            wanted_keys.pop(tier_key)
    return changes + [{"price": ids[key], "quantity": quantity} for key, quantity in wanted_keys.items()]


def _current_plan(stripe_subscription) -> tuple[str, str, dict]:
    tier, cycle, add_ons = plan_of(stripe_subscription)
    if tier is None:
        raise BillingError("Your Stripe subscription has no price from our catalog: contact support.")
    return tier, cycle, add_ons


def _refuse_unless_changeable(subscription: Subscription) -> None:
    if subscription.status == Status.PAST_DUE:
        raise ApplicationError("Your last payment failed: update your card in the billing portal and pay the open "
                               "invoice before you change plans.", code="payment_past_due", status=409,
                               field="status")


def billing_plan_change(*, organization: Organization, tier: str, billing_cycle: str | None = None,
                        add_ons: dict[str, int] | None = None, actor: str, return_url: str,
                        promotion_code: str = "", currency: str | None = None) -> PlanChange:
    """Change the plan through Stripe, the one path for every plan change; return when it takes effect.

    ``add_ons`` None keeps today's; ``currency`` None keeps the workspace's (see ``currency_for``).
    Raise PaymentRequired (with the checkout URL) when no live Stripe subscription stands behind the
    workspace yet, ValidationError for bad input or a smaller plan today's usage does not fit,
    CardDeclined when Stripe cannot charge an upgrade, CurrencyFixed for another currency.
    A ``promotion_code`` is checked first (ApplicationError naming it, see ``promotion_code_redeemable``),
    then redeemed in Stripe with the change (or at checkout).
    """
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    wanted = _wanted(subscription, tier, billing_cycle, add_ons)
    currency = currency_for(subscription, currency)
    promotion = promotion_code_redeemable(code=promotion_code, tier=wanted[0], currency=currency) if promotion_code else None
    code_id = promotion["id"] if promotion else ""
    if catalog.tier(tier).rank < catalog.tier(subscription.tier).rank or wanted[2] != dict(
            active_add_ons(subscription)):
        _fits(subscription, tier, wanted[2])
    if not subscription_is_in_stripe(subscription):
        url = billing_checkout_start(organization=organization, tier=wanted[0], billing_cycle=wanted[1],
                                     add_ons=wanted[2], currency=currency, success_url=f"{return_url}?checkout=success",
                                     cancel_url=f"{return_url}?checkout=cancelled", promotion_code=promotion_code)
        raise PaymentRequired("Choosing a plan needs a card: finish the checkout to start it (your trial days "
                              "are kept for plans up to the trial's).", checkout_url=url)
    _refuse_unless_changeable(subscription)
    current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
    timing = change_timing(_current_plan(current), wanted)
    schedule = current.get("schedule")
    schedule = schedule["id"] if isinstance(schedule, dict) else schedule
    keys = lookup_keys(*wanted, currency)
    if timing == UNCHANGED and promotion:
        updated = gateway.subscription_discount_set(current["id"], promotion_code_id=code_id)
        billing_subscription_sync(subscription=subscription, stripe_subscription=updated, actor=actor)
        return PlanChange(NOW, f"The promotion code {promotion['code']} is applied: "
                               f"{coupon_terms(promotion['coupon'])}.")
    if timing == UNCHANGED:
        if not schedule:
            return PlanChange(UNCHANGED, "This is your plan already.")
        gateway.schedule_release(schedule)
        _sync(subscription, actor)
        return PlanChange(UNDONE, "The change planned for the end of the period is cancelled.")
    ids = price_ids([key for key, _ in keys])
    if current["status"] == "trialing" or timing == NOW:
        if schedule:
            gateway.schedule_release(schedule)
            current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
        ends_trial = current["status"] == "trialing" and not trial_kept(subscription, tier)
        updated = gateway.subscription_change_items(
            current["id"], items=_items_now(current, ids, keys),
            proration_behavior="none" if current["status"] == "trialing" and not ends_trial else "always_invoice",
            trial_end="now" if ends_trial else None, promotion_code_id=code_id,
        )
        billing_subscription_sync(subscription=subscription, stripe_subscription=updated, actor=actor)
        return PlanChange(NOW, "Your plan has changed.")
    if not schedule:
        schedule = gateway.schedule_from_subscription(current["id"])["id"]
    period_start, period_end = current["current_period_start"], current["current_period_end"]
    metered = [{"price": item["price"]["id"]} for item in current["items"]["data"] if is_metered(item["price"])]
    gateway.schedule_set_phases(schedule, phases=[
        {"items": [{"price": item["price"]["id"], "quantity": item.get("quantity") or 1}
                   for item in current["items"]["data"] if not is_metered(item["price"])] + metered,
         "start_date": period_start, "end_date": period_end},
        # Storage overage is priced by the month: it carries on to a monthly plan, ends with an annual one.
        {"items": [{"price": ids[key], "quantity": quantity} for key, quantity in keys]
         + (metered if wanted[1] == "monthly" else []), "iterations": 1},
    ])
    if promotion:  # the renewal that starts the new plan is the first invoice it discounts
        gateway.subscription_discount_set(current["id"], promotion_code_id=code_id)
    _sync(subscription, actor)
    return PlanChange(AT_PERIOD_END, f"Your plan changes on {moment(period_end):%-d %B %Y}, when Stripe renews it.")


def _sync(subscription: Subscription, actor: str) -> None:
    billing_subscription_sync(subscription=subscription, stripe_subscription_id=subscription.stripe_subscription_id,
                              actor=actor)


def billing_plan_preview(*, organization: Organization, tier: str, billing_cycle: str | None = None,
                         add_ons: dict[str, int] | None = None, promotion_code: str = "",
                         currency: str | None = None) -> dict:
    """Return what choosing the plan costs today and then, read from Stripe's prices and its preview.

    ``when`` is checkout, now, at_period_end or unchanged; ``lines`` are Stripe's price of each item
    (lookup key, quantity, amount); amounts are integer cents. With a ``promotion_code`` (checked first, as
    for a change) ``discount_cents`` is what it takes off a period's price and ``due_today_cents`` is net of it.
    """
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    wanted = _wanted(subscription, tier, billing_cycle, add_ons)
    currency = currency_for(subscription, currency)
    promotion = promotion_code_redeemable(code=promotion_code, tier=wanted[0], currency=currency) if promotion_code else None
    keys = lookup_keys(*wanted, currency)
    prices = prices_for([key for key, _ in keys])
    recurring = sum(int(prices[key]["unit_amount"]) * quantity for key, quantity in keys)
    off = discount_cents(promotion["coupon"], recurring) if promotion else 0
    interval = "year" if wanted[1] == "annual" else "month"
    lines = [{"lookup_key": key, "quantity": quantity, "amount_cents": int(prices[key]["unit_amount"]) * quantity}
             for key, quantity in keys]
    preview = {"tier": wanted[0], "billing_cycle": wanted[1], "add_ons": wanted[2], "recurring_cents": recurring,
               "interval": interval, "currency": currency, "due_today_cents": recurring - off,
               "starts_at": timezone.now(), "lines": lines, "promotion_code": promotion["code"] if promotion else "",
               "discount_terms": coupon_terms(promotion["coupon"]) if promotion else "", "discount_cents": off,
               "recurring_after_discount_cents": recurring - off}
    if not subscription_is_in_stripe(subscription):
        kept = trial_kept(subscription, tier)
        return {**preview, "when": CHECKOUT, "due_today_cents": 0 if kept else recurring - off,
                "starts_at": subscription.trial_ends_at if kept else preview["starts_at"],
                **({} if kept else _checkout_tax(subscription, prices, keys, promotion["id"] if promotion else ""))}
    current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
    timing = change_timing(_current_plan(current), wanted)
    if timing == UNCHANGED:
        return {**preview, "when": UNCHANGED, "due_today_cents": 0,
                "starts_at": moment(current.get("current_period_end"))}
    if timing == AT_PERIOD_END and current["status"] != "trialing":
        return {**preview, "when": AT_PERIOD_END, "due_today_cents": 0,
                "starts_at": moment(current["current_period_end"])}
    if current["status"] == "trialing":
        kept = trial_kept(subscription, tier)
        return {**preview, "when": NOW, "due_today_cents": 0 if kept else recurring - off,
                "starts_at": moment(current.get("trial_end")) if kept else preview["starts_at"]}
    ids = {key: price["id"] for key, price in prices.items()}
    invoice = gateway.subscription_preview(customer_id=current["customer"], subscription_id=current["id"],
                                           items=_items_now(current, ids, keys),
                                           promotion_code_id=promotion["id"] if promotion else "",
                                           taxed=bool((current.get("automatic_tax") or {}).get("enabled")))
    return {**preview, "when": NOW, "due_today_cents": int(invoice.get("amount_due") or 0),
            "starts_at": moment(current.get("current_period_end")), **invoice_tax(invoice)}


def _checkout_tax(subscription: Subscription, prices: dict, keys: list[tuple[str, int]], promotion_code_id: str) -> dict:
    """Return what Checkout charges today with tax, by the billing address Stripe has; {} without one yet
    (Checkout asks for it and adds the tax)."""
    if not subscription.stripe_customer_id:
        return {}
    try:
        invoice = gateway.first_invoice_preview(customer_id=subscription.stripe_customer_id, items=[
            {"price": prices[key]["id"], "quantity": quantity} for key, quantity in keys],
            promotion_code_id=promotion_code_id)
    except gateway.BillingRejected:  # Stripe Tax cannot place a customer without an address
        return {}
    taxes = invoice.get("total_taxes") or invoice.get("total_tax_amounts") or []
    if not taxes or all(t.get("taxability_reason") == "customer_exempt" for t in taxes):
        return {}
    return {"due_today_cents": int(invoice.get("amount_due") or 0), **invoice_tax(invoice)}


def billing_cancel(*, organization: Organization, actor: str, at_period_end: bool = True) -> None:
    """Cancel at the end of the paid period (in Stripe) or of the trial; a trial without a card may end now,
    and so does a subscription Stripe gave up collecting."""
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    if subscription.stripe_subscription_id and subscription.status == Status.SUSPENDED:
        # Stripe gave up collecting ("unpaid"): there is no paid period left to run, so it ends now.
        ended = gateway.subscription_cancel_now(subscription.stripe_subscription_id)
        billing_subscription_sync(subscription=subscription, stripe_subscription=ended, actor=actor)
        return
    if not subscription_is_in_stripe(subscription):
        subscription_cancel(subscription=subscription, actor=actor, at_period_end=at_period_end)
        return
    if not at_period_end:
        raise ValidationError({"at_period_end": ["A subscription in Stripe ends at the end of the period it runs."]})
    updated = gateway.subscription_set_cancel_at_period_end(subscription.stripe_subscription_id, cancel=True)
    billing_subscription_sync(subscription=subscription, stripe_subscription=updated, actor=actor)


def billing_resume(*, organization: Organization, actor: str) -> None:
    """Take back a cancellation planned for the end of the period."""
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    if not subscription_is_in_stripe(subscription):
        subscription_resume(subscription=subscription, actor=actor)
        return
    updated = gateway.subscription_set_cancel_at_period_end(subscription.stripe_subscription_id, cancel=False)
    billing_subscription_sync(subscription=subscription, stripe_subscription=updated, actor=actor)


def billing_trial_extend(*, organization: Organization, days: int, actor: str,
                         idempotency_key: str = "") -> Subscription:
    """Give the trial ``days`` more and return the subscription: in Stripe, the ledger of record, when it runs
    the trial (card on file: its ``trial_end`` moves, and ours mirrors it), else in our own trial (a lapsed,
    never paid one reopens). Raise IllegalTransition when there is no trial to extend."""
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    if not (subscription_is_in_stripe(subscription) and subscription.status == Status.TRIALING):
        return subscription_extend_trial(subscription=subscription, days=days, actor=actor)
    extension_days_validate(days)
    current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
    if current["status"] != "trialing":
        # Stripe ended the trial (it charged the card) before its webhook reached us: a new trial_end would
        # start another trial on a paying subscription.
        raise ApplicationError(f"Stripe has ended this trial (the subscription is {current['status']}): nothing "
                               "was extended.", code="not_trialing", status=409, field="status")
    ends = max(moment(current.get("trial_end")) or timezone.now(), timezone.now()) + timedelta(days=days)
    updated = gateway.subscription_set_trial_end(subscription.stripe_subscription_id, trial_end=int(ends.timestamp()),
                                                 idempotency_key=idempotency_key)
    return billing_subscription_sync(subscription=subscription, stripe_subscription=updated, actor=actor).subscription


def billing_trial_end_set(*, organization: Organization, trial_end, actor: str) -> Subscription:
    """Move the end of the trial Stripe runs to ``trial_end`` (in Stripe, then mirrored); return ours.

    Raise ValidationError (``days``) unless Stripe's subscription is trialing.
    """
    subscription = Subscription.objects.select_related("organization").get(organization=organization)
    current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
    if current["status"] != "trialing":
        raise ValidationError({"days": [f"Stripe's subscription is {current['status']}, not trialing: its trial "
                                        "cannot be changed."]})
    updated = gateway.subscription_set_trial_end(current["id"], trial_end=int(trial_end.timestamp()))
    return billing_subscription_sync(subscription=subscription, stripe_subscription=updated, actor=actor).subscription


def billing_portal_open(*, organization: Organization, return_url: str) -> str:
    """Open a Stripe Billing Portal session (payment method, invoices) and return its URL."""
    customer_id = billing_customer_ensure(organization=organization)
    return gateway.portal_session_create(customer_id=customer_id, return_url=return_url)["url"]


class StripeBilling:
    """What subscriptions asks of billing (``subscriptions.billing_provider``), done through Stripe."""

    plan_change = staticmethod(billing_plan_change)
    cancel = staticmethod(billing_cancel)
    resume = staticmethod(billing_resume)
    trial_extend = staticmethod(billing_trial_extend)
    usage_report = staticmethod(billing_storage_overage_report)
    trial_end_set = staticmethod(billing_trial_end_set)
    coupon_create = staticmethod(billing_coupon_create)
