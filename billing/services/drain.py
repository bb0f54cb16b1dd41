"""Apply the stored, verified Stripe events: each customer's in arrival order, customers in parallel.

See ``webhooks_drain``.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from djstripe.models import WebhookEventTrigger

from billing import gateway

logger = logging.getLogger(__name__)

RETRY_GIVE_UP = timedelta(days=3)  # Stripe itself stops retrying an event after three days
CUSTOMER_LOCK_PREFIX = "stripe-customer:"  # pg_advisory_xact_lock(hashtext(prefix || customer id))
NO_CUSTOMER = "-"  # events of no customer (products, prices, the account) share one key
BATCH = 50  # pending events read per query while looking for a customer no one holds
DEADLOCK_ATTEMPTS = 3


def event_customer(event: dict) -> str:
    """Return the Stripe customer id an event is about, or ``NO_CUSTOMER``.

    A customer event's object is the customer; anything else names it in ``customer`` (an id, or
    the object expanded).
    """
    obj = (event.get("data") or {}).get("object") or {}
    if obj.get("object") == "customer":
        return str(obj.get("id") or NO_CUSTOMER)
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return str(customer) if customer else NO_CUSTOMER


def customer_lock_key(customer_id: str) -> str:
    """Return the text whose ``hashtext`` is the advisory lock key for the customer's events."""
    return CUSTOMER_LOCK_PREFIX + customer_id


def _is_deadlock(error: Exception) -> bool:
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and getattr(cause, "sqlstate", "") in ("40P01", "40001")


def _apply(trigger: WebhookEventTrigger) -> None:
    """Apply one event; a deadlock with another customer's event (shared products, prices) is tried again."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                trigger.process(save=True, api_key=gateway.api_key())
            return
        except Exception as error:
            if attempt == DEADLOCK_ATTEMPTS or not _is_deadlock(error):
                raise
            logger.warning("Stripe event %s (trigger %s) deadlocked; trying again", trigger.json_body.get("id"),
                           trigger.pk)


def webhooks_drain(*, retry_failed_before: datetime | None = None) -> int:
    """Apply the stored, verified events not yet applied; return how many this call applied.

    Events of one Stripe customer are applied one at a time, oldest first: each is applied in a
    transaction of its own that holds that customer's PostgreSQL advisory lock
    (``pg_try_advisory_xact_lock(hashtext('stripe-customer:' || id))``) and, under it, takes the
    customer's oldest pending event. Events of different customers are applied in parallel by as
    many workers as drain. A worker that finds a customer's lock taken leaves that customer to the
    holder, which looks again once it commits: nothing pending is left behind. dj-stripe stores
    each event id once, so a second delivery of an event changes nothing. An event that fails keeps
    its error on its row (for operators) and is skipped, unless it failed before
    ``retry_failed_before`` (the sweep's retry).
    """
    pending = WebhookEventTrigger.objects.filter(valid=True, processed=False).order_by("pk")
    if retry_failed_before is None:
        pending = pending.filter(exception="")
    else:
        pending = pending.filter(Q(exception="") | Q(updated__lt=retry_failed_before,
                                                     created__gte=timezone.now() - RETRY_GIVE_UP))
    applied, failed = 0, set()
    busy: set[str] = set()  # customers found held by another worker in this call: left to that worker
    customers: dict[int, str] = {}  # trigger id -> its customer (a stored event never changes)
    gateway.configure()
    while True:
        with transaction.atomic():
            todo = pending.exclude(pk__in=failed)
            customer = next((customer for _, customer in _in_order(todo, customers)
                             if customer not in busy and _locked(customer, busy)), None)
            if customer is None:
                return applied
            # Under the customer's lock, its oldest pending event as the last holder committed it.
            pk = next((pk for pk, other in _in_order(todo, customers) if other == customer), None)
            trigger = todo.select_for_update().filter(pk=pk).first()
            if trigger is None:
                continue
            try:
                _apply(trigger)
                applied += 1
            except Exception as error:  # any failure: recorded, retried by the sweep
                logger.exception("Stripe event %s (trigger %s) failed", trigger.json_body.get("id"), trigger.pk)
                trigger.exception, trigger.traceback = str(error)[:128], traceback.format_exc()
                trigger.save(update_fields=["exception", "traceback", "updated"])
                failed.add(trigger.pk)


def _locked(customer: str, busy: set[str]) -> bool:
    """Take the customer's lock for this transaction if no one holds it; else note it in ``busy``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [customer_lock_key(customer)])
        if cursor.fetchone()[0]:
            return True
    busy.add(customer)
    return False


def _in_order(pending, customers: dict[int, str]):
    """Yield (trigger id, customer) of the pending events, oldest first, reading each body once per drain."""
    after = 0
    while True:
        pks = list(pending.filter(pk__gt=after).values_list("pk", flat=True)[:BATCH])
        if not pks:
            return
        unknown = [pk for pk in pks if pk not in customers]
        if unknown:
            for pk, body in WebhookEventTrigger.objects.filter(pk__in=unknown).values_list("pk", "body"):
                customers[pk] = event_customer(_json(body))
        for pk in pks:
            yield pk, customers[pk]
        after = pks[-1]


def _json(body: str) -> dict:
    try:
        event = json.loads(body)
    except ValueError:
        return {}
    return event if isinstance(event, dict) else {}
