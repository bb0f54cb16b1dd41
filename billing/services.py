"""Writes for billing: the Stripe customer, Checkout, the Portal, plan changes and cancellation.

Each Stripe call goes through ``billing.gateway``; if Stripe fails, ``BillingError`` propagates
before anything of ours is saved, so the operation can simply be tried again.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from djstripe.models import Customer as StripeCustomer
from djstripe.models import WebhookEndpoint, WebhookEventTrigger

from billing import gateway
from billing.gateway import BillingError
from billing.models import WebhookOutcome
from billing.selectors import moment
from notifications.services import notify
from subscriptions import catalog
from subscriptions.entitlements import active_add_ons
from subscriptions.models import Status, Subscription
from subscriptions.services import (
    subscription_cancel,
    subscription_change_tier,
    subscription_convert,
    subscription_end,
    subscription_is_paid_in_stripe,
    subscription_record_payment_failed,
    subscription_record_payment_succeeded,
    subscription_resume,
    subscription_schedule_downgrade,
    subscription_set_add_on,
)
from subscriptions.states import IllegalTransition
from tenants.models import Organization

logger = logging.getLogger(__name__)

HANDLED_EVENTS = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.trial_will_end",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
]
# dj-stripe keeps its own copies (invoice history) up to date from these as well.
SUBSCRIBED_EVENTS = [*HANDLED_EVENTS, "invoice.created", "invoice.finalized", "customer.updated"]
# Stripe Checkout refuses a trial_end less than 48 hours ahead: shorter trials end at checkout.
CHECKOUT_MIN_TRIAL = timedelta(hours=48)
LIVE_STRIPE_STATUSES = ("trialing", "active", "past_due")


class SubscriptionExists(BillingError):
    """The organisation already pays through a live Stripe subscription: change it instead."""

    code = "subscription_exists"


MAX_ADD_ON_QUANTITY = 1000


def plan_validate(*, tier: str, billing_cycle: str, add_ons: dict[str, int]) -> None:
    """Raise ValidationError, keyed by field, unless the plan can be bought."""
    errors = {}
    if tier not in catalog.TIERS:
        errors["tier"] = f"Choose one of {', '.join(catalog.TIERS)}."
    if billing_cycle not in catalog.BILLING_CYCLES:
        errors["billing_cycle"] = f"Choose one of {', '.join(catalog.BILLING_CYCLES)}."
    unknown = sorted(set(add_ons) - set(catalog.ADD_ONS))
    if unknown:
        errors["add_ons"] = f"Unknown add-on {', '.join(unknown)}; choose from {', '.join(catalog.ADD_ONS)}."
    elif any(not isinstance(q, int) or isinstance(q, bool) or not 0 <= q <= MAX_ADD_ON_QUANTITY
             for q in add_ons.values()):
        errors["add_ons"] = f"Each add-on quantity must be a whole number from 0 to {MAX_ADD_ON_QUANTITY}."
    elif billing_cycle == "annual" and any(add_ons.values()):
        errors["add_ons"] = "Add-ons are billed monthly: choose the monthly cycle to add them."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def stripe_webhook_setup(*, base_url: str) -> tuple[WebhookEndpoint, bool]:
    """Register dj-stripe's endpoint on the public host with Stripe, once; return it and whether it is new."""
    prefix = base_url.rstrip("/") + "/stripe/webhook/"
    existing = WebhookEndpoint.objects.filter(url__startswith=prefix).first()
    if existing is not None:
        return existing, False
    token = uuid.uuid4()
    path = reverse("djstripe:djstripe_webhook_by_uuid", kwargs={"uuid": token}, urlconf="unison.urls_public")
    data = gateway.webhook_endpoint_create(url=base_url.rstrip("/") + path, events=SUBSCRIBED_EVENTS,
                                           metadata={"djstripe_uuid": str(token)})
    return WebhookEndpoint.sync_from_stripe_data(data, api_key=gateway.api_key()), True


def _lookup_keys(tier: str, billing_cycle: str, add_ons: dict[str, int]) -> list[tuple[str, int]]:
    plan_validate(tier=tier, billing_cycle=billing_cycle, add_ons=add_ons)
    keys = [(catalog.tier(tier).lookup_key(billing_cycle), 1)]
    keys += [(catalog.ADD_ONS[kind].lookup_key, quantity) for kind, quantity in add_ons.items() if quantity > 0]
    return keys


def price_ids(lookup_keys: list[str]) -> dict[str, str]:
    """Return Stripe price ids by lookup key; raise BillingError if the catalog is not synced."""
    prices = gateway.prices_by_lookup_key(lookup_keys)
    missing = sorted(set(lookup_keys) - set(prices))
    if missing:
        raise gateway.BillingUnavailable(
            f"Prices {', '.join(missing)} are missing in Stripe; an operator must run sync_stripe_catalog."
        )
    return {key: price["id"] for key, price in prices.items()}


@transaction.atomic
def billing_customer_ensure(*, organization: Organization) -> str:
    """Return the organisation's Stripe customer id, creating the customer once if needed."""
    subscription = Subscription.objects.select_for_update().get(organization=organization)
    if subscription.stripe_customer_id:
        customer_id = subscription.stripe_customer_id
        if not StripeCustomer.objects.filter(id=customer_id).exists():
            _link_customer(gateway.customer_retrieve(customer_id), organization)
        return customer_id
    metadata = {
        "organization_id": str(organization.pk),
        "organization_slug": organization.slug,
        "djstripe_subscriber": str(organization.pk),
    }
    # The same key makes Stripe return the same customer if we retry after a failure here.
    customer = gateway.customer_create(
        email=organization.email, name=organization.name, metadata=metadata,
        idempotency_key=f"unison-customer-{organization.pk}",
    )
    _link_customer(customer, organization)
    subscription.stripe_customer_id = customer["id"]
    subscription.save(update_fields=["stripe_customer_id", "updated_at"])
    return customer["id"]


def _link_customer(customer, organization: Organization) -> None:
    local = StripeCustomer.sync_from_stripe_data(customer, api_key=gateway.api_key())
    if local.subscriber_id != organization.pk:
        local.subscriber = organization
        local.save(update_fields=["subscriber"])


def billing_checkout_start(
    *, organization: Organization, tier: str, billing_cycle: str, add_ons: dict[str, int] | None = None,
    success_url: str, cancel_url: str,
) -> str:
    """Open a Stripe Checkout session for the plan and return its URL.

    A trialing organisation keeps its remaining trial days (when Stripe allows: 48 hours or more).
    """
    wanted = _lookup_keys(tier, billing_cycle, add_ons or {})
    subscription = Subscription.objects.get(organization=organization)
    if subscription_is_paid_in_stripe(subscription):
        raise SubscriptionExists(
            "You already have a paid subscription: change its plan or open the billing portal instead."
        )
    customer_id = billing_customer_ensure(organization=organization)
    ids = price_ids([key for key, _ in wanted])
    trial_end = None
    if subscription.status == Status.TRIALING and subscription.trial_ends_at:
        if subscription.trial_ends_at - timezone.now() >= CHECKOUT_MIN_TRIAL:
            trial_end = int(subscription.trial_ends_at.timestamp())
    session = gateway.checkout_session_create(
        customer_id=customer_id,
        line_items=[{"price": ids[key], "quantity": quantity} for key, quantity in wanted],
        trial_end=trial_end,
        success_url=success_url,
        cancel_url=cancel_url,
        metadata={"organization_id": str(organization.pk), "tier": tier, "billing_cycle": billing_cycle},
    )
    return session["url"]


def billing_portal_open(*, organization: Organization, return_url: str) -> str:
    """Open a Stripe Billing Portal session (payment method, invoices) and return its URL."""
    customer_id = billing_customer_ensure(organization=organization)
    return gateway.portal_session_create(customer_id=customer_id, return_url=return_url)["url"]


def billing_change_plan(
    *, organization: Organization, tier: str, billing_cycle: str, add_ons: dict[str, int] | None = None
) -> dict:
    """Move a paying subscription to another tier, cycle or add-ons in Stripe, prorated; return it.

    ``add_ons`` None keeps the current add-ons. Our own subscription follows when Stripe's
    ``customer.subscription.updated`` webhook arrives, so the two never disagree for long.
    """
    subscription = Subscription.objects.get(organization=organization)
    if not subscription_is_paid_in_stripe(subscription):
        raise BillingError("There is no paid subscription to change yet: start one through checkout.")
    current = gateway.subscription_retrieve(subscription.stripe_subscription_id)
    if add_ons is None:
        add_ons = dict(active_add_ons(subscription))
    wanted = dict(_lookup_keys(tier, billing_cycle, add_ons))
    ids = price_ids(list(wanted))
    items = []
    for item in current["items"]["data"]:
        key = item["price"].get("lookup_key")
        if key in wanted:
            items.append({"id": item["id"], "price": ids[key], "quantity": wanted.pop(key)})
        elif key and key.startswith("addon_"):
            items.append({"id": item["id"], "deleted": True})
        else:  # the tier's item: swap its price
            tier_key = catalog.tier(tier).lookup_key(billing_cycle)
            items.append({"id": item["id"], "price": ids[tier_key], "quantity": 1})
            wanted.pop(tier_key, None)
    items += [{"price": ids[key], "quantity": quantity} for key, quantity in wanted.items()]
    return gateway.subscription_change_items(subscription.stripe_subscription_id, items=items)


def billing_plan_choose(
    *, organization: Organization, tier: str, billing_cycle: str, add_ons: dict[str, int], actor: str,
    success_url: str, cancel_url: str,
) -> str | None:
    """Return a Checkout URL for an organisation that does not pay yet; else change its paid plan and return None.

    A paid plan changes in place: add-ons and upgrades in Stripe now (prorated), a smaller
    tier at the end of the period (when the organisation fits in it).
    """
    subscription = Subscription.objects.get(organization=organization)
    if not subscription_is_paid_in_stripe(subscription):
        return billing_checkout_start(organization=organization, tier=tier, billing_cycle=billing_cycle,
                                      add_ons=add_ons, success_url=success_url, cancel_url=cancel_url)
    plan_validate(tier=tier, billing_cycle=billing_cycle, add_ons=add_ons)
    current_add_ons = dict(active_add_ons(subscription))
    if {k: q for k, q in add_ons.items() if q} != current_add_ons:
        billing_change_plan(organization=organization, tier=subscription.tier,
                            billing_cycle=subscription.billing_cycle, add_ons=add_ons)
    if catalog.tier(tier).rank < subscription.plan.rank:
        subscription_schedule_downgrade(subscription=subscription, tier=tier, actor=actor)
    elif (tier, billing_cycle) != (subscription.tier, subscription.billing_cycle):
        subscription_change_tier(subscription=subscription, tier=tier, billing_cycle=billing_cycle, actor=actor)
    return None


def billing_cancel_at_period_end(*, organization: Organization, cancel: bool = True) -> dict:
    """Ask Stripe to end (or, with ``cancel=False``, keep) the subscription at the end of the period."""
    subscription = Subscription.objects.get(organization=organization)
    if not subscription.stripe_subscription_id:
        raise BillingError("There is no paid subscription to cancel.")
    return gateway.subscription_set_cancel_at_period_end(subscription.stripe_subscription_id, cancel=cancel)


# --- Webhook events ---------------------------------------------------------------------------


RETRY_GIVE_UP = timedelta(days=3)
WEBHOOKS_LOCK = 7_305_112_001  # pg_advisory_xact_lock key: one Stripe event applied at a time  # Stripe itself stops retrying an event after three days


def webhooks_drain(*, retry_failed_before: datetime | None = None) -> int:
    """Apply the stored, verified events not yet applied, oldest first; return how many were applied.

    Each event is applied in a transaction of its own that first takes a PostgreSQL advisory
    lock: however many workers drain, events are applied one at a time, in arrival order (dj-stripe's
    syncs of the same objects race when run concurrently). dj-stripe stores each event id once,
    so a second delivery of an event changes nothing. An event that fails keeps its error on its row (for
    operators) and is skipped, unless it failed before ``retry_failed_before`` (the sweep's retry).
    """
    pending = WebhookEventTrigger.objects.filter(valid=True, processed=False).order_by("pk")
    if retry_failed_before is None:
        pending = pending.filter(exception="")
    else:
        pending = pending.filter(Q(exception="") | Q(updated__lt=retry_failed_before,
                                                     created__gte=timezone.now() - RETRY_GIVE_UP))
    applied, failed = 0, []
    gateway.configure()
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WEBHOOKS_LOCK])
            trigger = pending.exclude(pk__in=failed).select_for_update().first()
            if trigger is None:
                return applied
            try:
                with transaction.atomic():
                    trigger.process(save=True, api_key=gateway.api_key())
                applied += 1
            except Exception as error:  # any failure: recorded, retried by the sweep
                logger.exception("Stripe event %s (trigger %s) failed", trigger.json_body.get("id"), trigger.pk)
                trigger.exception, trigger.traceback = str(error)[:128], traceback.format_exc()
                trigger.save(update_fields=["exception", "traceback", "updated"])
                failed.append(trigger.pk)


# Each handler reads the object's current state from Stripe rather than trusting the event's
# copy, and calls subscription services that ignore what they have already applied: the same
# event twice, late or out of order ends in the state one in-order delivery gives.


def _period(stripe_object) -> tuple[datetime | None, datetime | None]:
    """Return the current period of a subscription (or of its first item, on newer API versions)."""
    start, end = stripe_object.get("current_period_start"), stripe_object.get("current_period_end")
    items = (stripe_object.get("items") or {}).get("data") or []
    if not end and items:
        start, end = items[0].get("current_period_start"), items[0].get("current_period_end")
    return moment(start), moment(end)


def plan_of(stripe_subscription) -> tuple[str | None, str | None, dict[str, int]]:
    """Return the tier, billing cycle and add-on quantities that the subscription's prices stand for."""
    tier = cycle = None
    add_ons: dict[str, int] = {}
    by_lookup_key = {a.lookup_key: a.key for a in catalog.ADD_ONS.values()}
    for item in stripe_subscription["items"]["data"]:
        key = (item.get("price") or {}).get("lookup_key") or ""
        if key in by_lookup_key:
            add_ons[by_lookup_key[key]] = item.get("quantity") or 1
        elif "_" in key and key.rsplit("_", 1)[0] in catalog.TIERS:
            tier, cycle = key.rsplit("_", 1)
    return tier, cycle, add_ons


def _subscription_id_of(data) -> str | None:
    if data.get("object") == "subscription":
        return data["id"]
    found = data.get("subscription") or (
        ((data.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    )
    return found.get("id") if isinstance(found, dict) else found


def _record(event_id, event_type, organization, customer_id, result, detail) -> WebhookOutcome:
    outcome, _ = WebhookOutcome.objects.update_or_create(
        event_id=event_id,
        defaults={"event_type": event_type, "organization": organization, "stripe_customer_id": customer_id or "",
                  "result": result, "detail": detail[:2000]},
    )
    return outcome


@transaction.atomic
def billing_event_apply(*, event_id: str, event_type: str, data: dict) -> WebhookOutcome:
    """Apply a Stripe event to the organisation it belongs to and record the outcome."""
    customer_id = data.get("id") if data.get("object") == "customer" else data.get("customer")
    customer_id = customer_id.get("id") if isinstance(customer_id, dict) else customer_id
    subscription = (
        Subscription.objects.select_for_update().select_related("organization")
        .filter(stripe_customer_id=customer_id).first() if customer_id else None
    )
    if subscription is None:
        return _record(event_id, event_type, None, customer_id, WebhookOutcome.Result.UNKNOWN_CUSTOMER,
                       f"No organisation has Stripe customer {customer_id!r}; nothing changed.")
    organization = subscription.organization
    before = (subscription.status, subscription.tier, subscription.billing_cycle, subscription.cancel_at_period_end,
              subscription.failed_payment_count)
    try:
        detail = _apply(event_type, data, subscription)
    except IllegalTransition as error:
        return _record(event_id, event_type, organization, customer_id, WebhookOutcome.Result.IGNORED, str(error))
    subscription.refresh_from_db()
    after = (subscription.status, subscription.tier, subscription.billing_cycle, subscription.cancel_at_period_end,
             subscription.failed_payment_count)
    result = WebhookOutcome.Result.APPLIED if after != before else WebhookOutcome.Result.UNCHANGED
    summary = f"{before[0]} → {after[0]}" if before[0] != after[0] else f"stays {after[0]}"
    return _record(event_id, event_type, organization, customer_id, result, f"{summary}. {detail}".strip())


def _apply(event_type: str, data: dict, subscription: Subscription) -> str:
    stripe_subscription_id = _subscription_id_of(data)
    if event_type.startswith("invoice."):
        return _apply_invoice(event_type, data, subscription)
    if not stripe_subscription_id:
        return "The event names no subscription."
    current = gateway.subscription_retrieve(stripe_subscription_id)
    # An older subscription of this customer that has ended must not touch the current one.
    replaced = subscription.stripe_subscription_id not in ("", stripe_subscription_id)
    if replaced and current["status"] not in LIVE_STRIPE_STATUSES:
        return f"Subscription {stripe_subscription_id} is not the organisation's current one."
    if event_type == "customer.subscription.trial_will_end":
        notify(organization=subscription.organization, kind="trial_ending",
               occasion=f"stripe:{current['id']}:{current.get('trial_end')}",
               context={"trial_end": current.get("trial_end"), "card_on_file": True})
        return "Told the owners that the trial ends soon."
    return _apply_subscription_state(current, subscription)


def _apply_subscription_state(current, subscription: Subscription) -> str:
    """Bring our subscription in line with Stripe's current one."""
    status = current["status"]
    if status in ("canceled", "incomplete_expired"):
        subscription_end(subscription=subscription, actor="stripe")
        return f"Stripe subscription {current['id']} has ended."
    if status not in LIVE_STRIPE_STATUSES:
        return f"Stripe subscription {current['id']} is {status}; waiting for payment."
    tier, cycle, add_ons = plan_of(current)
    if tier is None:
        return f"Stripe subscription {current['id']} has no price from our catalog."
    start, end = _period(current)
    paid_again = subscription.status == Status.SUSPENDED and subscription.suspension_reason == "payment_failed"
    if status == "past_due" and subscription.status in (Status.SUSPENDED, Status.CANCELLED):
        pass  # the invoice events decide; a past-due Stripe subscription must not reopen ours
    elif paid_again:
        subscription_record_payment_succeeded(subscription=subscription, invoice_id=current.get("latest_invoice") or "",
                                              period_start=start, period_end=end)
    else:
        subscription_convert(subscription=subscription, tier=tier, billing_cycle=cycle,
                             stripe_subscription_id=current["id"], period_start=start, period_end=end)
    subscription.refresh_from_db()
    if subscription.status in (Status.ACTIVE, Status.PAST_DUE):
        if current.get("cancel_at_period_end") and not subscription.cancel_at_period_end:
            subscription_cancel(subscription=subscription, actor="stripe", at_period_end=True)
        elif not current.get("cancel_at_period_end") and subscription.cancel_at_period_end:
            subscription_resume(subscription=subscription, actor="stripe")
    for kind in catalog.ADD_ONS:
        subscription_set_add_on(subscription=subscription, kind=kind, quantity=add_ons.get(kind, 0), actor="stripe")
    return f"Plan {tier} ({cycle}) from Stripe subscription {current['id']} ({status})."


def _apply_invoice(event_type: str, data: dict, subscription: Subscription) -> str:
    invoice = gateway.invoice_retrieve(data["id"])
    if event_type == "invoice.payment_succeeded":
        if invoice["status"] != "paid":
            return f"Invoice {invoice['id']} is {invoice['status']}, not paid."
        start, end = moment(invoice.get("period_start")), moment(invoice.get("period_end"))
        subscription_record_payment_succeeded(subscription=subscription, invoice_id=invoice["id"],
                                              period_start=start, period_end=end)
        return f"Invoice {invoice['id']} paid."
    if invoice["status"] == "paid":
        return f"Invoice {invoice['id']} has been paid since; the failure no longer counts."
    if not _subscription_id_of(invoice):
        return f"Invoice {invoice['id']} is not for a subscription."
    attempt = int(data.get("attempt_count") or invoice.get("attempt_count") or 1)
    subscription_record_payment_failed(subscription=subscription, attempt_count=attempt, invoice_id=invoice["id"])
    return f"Invoice {invoice['id']} payment failed (attempt {attempt})."
