"""The Billing Portal page a portal session's ``url`` points at: the customer's subscription and what they can change.

As in Stripe's portal: change plan (the tier item's price is replaced, prorated), update the card
(the same test cards; 4000 0000 0000 0341 is saved and fails when charged, as Stripe does),
cancel at the end of the period and undo that. Subscription changes go through
``Subscription._api_update`` (extension.py), which sends ``customer.subscription.updated``.
Tier prices are the active ones whose lookup key reads ``<tier>_<monthly|annual>``.
"""

from __future__ import annotations

import re

from aiohttp import web
from localstripe import resources as R

from devstripe import extension as X
from devstripe.checkout_page import product_name
from devstripe.pages import (
    SAVING,
    authentication_page,
    button,
    card_number_field,
    card_number_read,
    day,
    e,
    merchant_header,
    money,
    notice,
    page,
    per_interval,
    see_other,
    stored,
)
from devstripe.process import AUTHENTICATION_CARD

TIER_KEY = re.compile(r"^[a-z0-9]+_(monthly|annual)(_[a-z]{3})?$")  # USD's keys, then others' with _<currency>
ENDED = ("canceled", "incomplete_expired")
STATUS_NAMES = {"active": "Active", "trialing": "Trialing", "past_due": "Past due", "unpaid": "Unpaid",
                "incomplete": "Incomplete", "canceled": "Canceled"}


def add_routes(app: web.Application) -> None:
    add = app.router.add_route
    add("GET", "/_test/portal/{id}", portal_page)
    add("POST", "/_test/portal/{id}/plan", portal_plan)
    add("POST", "/_test/portal/{id}/card", portal_card)
    add("GET", "/_test/portal/{id}/authenticate", portal_authentication)
    add("POST", "/_test/portal/{id}/authenticate", portal_authenticate)
    add("POST", "/_test/portal/{id}/cancel", portal_cancel)
    add("POST", "/_test/portal/{id}/renew", portal_renew)


def _portal(request) -> X.PortalSession:
    return stored(X.PortalSession, request.match_info["id"], "billing portal")


def _here(portal, done: str = "") -> str:
    return f"/_test/portal/{portal.id}" + (f"?done={done}" if done else "")


def current_subscription(customer_id: str):
    """Return the customer's newest subscription that has not ended, or None."""
    mine = [s for k, s in R.store.items()
            if k.startswith("subscription:") and s.customer == customer_id and s.status not in ENDED]
    return max(mine, key=lambda s: s.created, default=None)


def _lookup_key(plan) -> str:
    return getattr(plan, "_lookup_key", None) or ""


def tier_item(sub):
    """Return the subscription item that carries the plan (its price has a tier lookup key)."""
    return next((i for i in sub.items._list if TIER_KEY.match(_lookup_key(i.plan))), None)


def plan_choices(sub, item) -> list:
    """Return the other active tier prices the plan can move to, cheapest first, monthly before annual.

    Stripe bills every item of a subscription on one interval and in one currency, so the choices
    keep the currency, and with add-ons on it the current interval.
    """
    others = [i for i in sub.items._list if i is not item]
    prices = [p for k, p in R.store.items() if k.startswith("plan:price_") and p.active
              and TIER_KEY.match(_lookup_key(p)) and p.id != item.plan.id and p.currency == item.plan.currency
              and (not others or p.interval == item.plan.interval)]
    return sorted(prices, key=lambda p: (p.interval != "month", p.amount))


def _price_text(plan, quantity: int = 1) -> str:
    return f"{money(plan.amount * quantity, plan.currency)} {per_interval(plan.interval, plan.interval_count)}"


def _card_text(customer) -> str:
    card = customer._get_default_payment_method_or_source()
    if card is None or getattr(card, "card", None) is None:
        return "No card on file"
    return f"{card.card['brand'].title()} ending in {card.card['last4']} · expires {card.card['exp_month']:02d}/{card.card['exp_year']}"


def _done_text(code: str, sub, customer) -> tuple[str, str] | None:
    if code == "plan" and sub is not None and tier_item(sub) is not None:
        item = tier_item(sub)
        return f"Your plan is now {product_name(item.price)} — {_price_text(item.plan)}.", "ok"
    if code == "card":
        return f"Card saved: {_card_text(customer)}. It pays from now on.", "ok"
    if code == "cancel" and sub is not None:
        return f"Your plan will end on {day(sub.current_period_end)}. You can renew it until then.", "ok"
    if code == "renew" and sub is not None:
        return f"Your plan will renew on {day(sub.current_period_end)}.", "ok"
    if code == "authentication_failed":
        return "Authentication failed. Your card was not changed.", "bad"
    return None


def _plan_card(portal, sub) -> str:
    item = tier_item(sub) or sub.items._list[0]
    ending = sub.cancel_at_period_end
    status = "ending" if ending and sub.status not in ENDED else sub.status
    badge = "Cancels " + day(sub.current_period_end) if status == "ending" else STATUS_NAMES.get(sub.status, sub.status)
    if sub.status == "trialing":
        when = ("Trial ends", day(sub.trial_end or sub.current_period_end))
    else:
        when = ("Ends on" if ending else "Renews on", day(sub.current_period_end))
    extras = "".join(f"<dt>Add-on</dt><dd>{e(product_name(i.price))} × {i.quantity} — {e(_price_text(i.plan, i.quantity))}</dd>"
                     for i in sub.items._list if i is not item)
    if ending:
        action = (f'<p class="muted small spaced">It stops at the end of this period, on '
                  f'{e(day(sub.current_period_end))}. Nothing more is charged.</p>'
                  f'<form method="post" action="/_test/portal/{e(portal.id)}/renew">'
                  + button("Don't cancel — keep my plan") + "</form>")
    else:
        action = (f'<form method="post" action="/_test/portal/{e(portal.id)}/cancel">'
                  + button("Cancel plan at the end of the period", "danger") + "</form>"
                  + f'<p class="help">Your plan stays active until {e(day(sub.current_period_end))}, then ends. '
                  "You can undo this until then.</p>")
    return (
        '<section class="card" aria-labelledby="current-plan"><h2 id="current-plan">Current plan</h2>'
        f'<p><strong data-testid="plan-name">{e(product_name(item.price))}</strong> '
        f'<span class="badge {e(status)}" data-testid="plan-status">{e(badge)}</span></p>'
        f'<p class="lead" data-testid="plan-price">{e(_price_text(item.plan, item.quantity))}</p>'
        f'<dl class="facts"><dt>{e(when[0])}</dt><dd>{e(when[1])}</dd>{extras}</dl>{action}</section>'
    )


def _change_card(portal, sub, error: str | None) -> str:
    item = tier_item(sub)
    choices = plan_choices(sub, item) if item is not None else []
    if not choices:
        return ""
    options = "".join(
        f'<label class="choice"><input type="radio" name="price" value="{e(p.id)}">'
        f'<span>{e(product_name(X.price_export(p)))} <span class="muted">({"annual" if p.interval == "year" else "monthly"})</span></span>'
        f'<span class="amount">{e(_price_text(p))}</span></label>'
        for p in choices)
    if sub.status == "active":
        effect = "The change takes effect now. The difference for the rest of this period is prorated onto your next invoice."
    else:
        effect = f"Nothing is charged now; the new price applies from {day(sub.trial_end or sub.current_period_end)}."
    return (
        '<section class="card" aria-labelledby="change-plan"><h2 id="change-plan">Change plan</h2>'
        + (notice(error, "bad") if error else "")
        + f'<form method="post" action="/_test/portal/{e(portal.id)}/plan"><fieldset>'
        f'<legend class="muted">Currently {e(product_name(item.price))} — {e(_price_text(item.plan))}</legend>{options}</fieldset>'
        f'<p class="help">{e(effect)}</p>' + button("Change plan") + "</form></section>"
    )


def _payment_card(portal, customer, typed: str, error: str | None) -> str:
    return (
        '<section class="card" aria-labelledby="payment-method"><h2 id="payment-method">Payment method</h2>'
        f'<p data-testid="card-on-file">{e(_card_text(customer))}</p>'
        f'<form method="post" action="/_test/portal/{e(portal.id)}/card" novalidate>'
        + card_number_field(value=typed, error=error, label="New card number", outcomes=SAVING)
        + button("Update card", "secondary") + "</form></section>"
    )


def _render(portal, *, done: str = "", plan_error: str | None = None, typed: str = "",
            card_error: str | None = None, status: int = 200) -> web.Response:
    customer = R.Customer._api_retrieve(portal.customer)
    sub = current_subscription(portal.customer)
    back = f'<a href="{e(portal.return_url)}">← Return to Unison</a>' if portal.return_url else ""
    message = _done_text(done, sub, customer)
    if sub is None:
        plan = ('<section class="card"><h2>No subscription</h2><p class="muted">This customer has no subscription yet. '
                "Choose a plan in Unison to start one.</p></section>")
    else:
        plan = _plan_card(portal, sub) + _change_card(portal, sub, plan_error)
    body = (
        merchant_header(back)
        + f'<h1>Billing</h1><p class="muted">{e(customer.email or customer.name or customer.id)}</p>'
        + (notice(*message) if message else "")
        + plan + _payment_card(portal, customer, typed, card_error)
    )
    return page("Billing portal", body, wide=True, status=status)


def portal_page(request):
    return _render(_portal(request), done=request.query.get("done", ""))


def _subscription_or_back(portal):
    sub = current_subscription(portal.customer)
    if sub is None:
        raise see_other(_here(portal))
    return sub


async def portal_plan(request):
    portal = _portal(request)
    sub = _subscription_or_back(portal)
    item = tier_item(sub)
    chosen = (await request.post()).get("price", "")
    if item is None or chosen not in {p.id for p in plan_choices(sub, item)}:
        return _render(portal, plan_error="Choose one of the plans below.", status=422)
    R.Subscription._api_update(sub.id, items=[{"id": item.id, "price": chosen, "quantity": item.quantity}],
                               proration_behavior="create_prorations")
    raise see_other(_here(portal, "plan"))


async def portal_cancel(request):
    portal = _portal(request)
    R.Subscription._api_update(_subscription_or_back(portal).id, cancel_at_period_end=True)
    raise see_other(_here(portal, "cancel"))


async def portal_renew(request):
    portal = _portal(request)
    R.Subscription._api_update(_subscription_or_back(portal).id, cancel_at_period_end=False)
    raise see_other(_here(portal, "renew"))


async def portal_card(request):
    portal = _portal(request)
    typed = (await request.post()).get("card_number", "")
    number, error = card_number_read(typed)
    if error:
        return _render(portal, typed=typed, card_error=error, status=422)
    if number == AUTHENTICATION_CARD:
        portal._pending_card = number
        raise see_other(f"/_test/portal/{portal.id}/authenticate")
    _save_card(portal, number)
    raise see_other(_here(portal, "card"))


def portal_authentication(request):
    portal = _portal(request)
    if not getattr(portal, "_pending_card", None):
        raise see_other(_here(portal))
    return authentication_page(action=f"/_test/portal/{portal.id}/authenticate",
                               amount_text="saving this card with Unison", cancel_href=_here(portal))


async def portal_authenticate(request):
    portal = _portal(request)
    card = getattr(portal, "_pending_card", None)
    portal._pending_card = None
    if not card:
        raise see_other(_here(portal))
    if (await request.post()).get("outcome") != "complete":
        raise see_other(_here(portal, "authentication_failed"))
    _save_card(portal, card)
    raise see_other(_here(portal, "card"))


def _save_card(portal, number: str) -> None:
    """Make the card the customer's default; Stripe's portal makes it the subscription's too, and says so."""
    X._set_card(portal.customer, number)
    R.schedule_webhook(R.Event("customer.updated", R.Customer._api_retrieve(portal.customer)))
    sub = current_subscription(portal.customer)
    if sub is not None:
        R.Subscription._api_update(sub.id)
