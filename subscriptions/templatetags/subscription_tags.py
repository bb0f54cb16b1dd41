"""Template helpers: ``{% load subscription_tags %}`` then ``{% if request|has_feature:"api_access" %}``."""

from __future__ import annotations

from django import template
from django.utils import timezone

from subscriptions import catalog
from subscriptions.money import money_format

register = template.Library()


@register.filter
def has_feature(request, feature_key: str) -> bool:
    entitlements = getattr(request, "entitlements", None)
    return bool(entitlements and entitlements.has(feature_key))


@register.filter
def cents(amount: int, currency: str = catalog.CURRENCY) -> str:
    """Format integer minor units: 4900 → $49, ``{{ 299900|cents:"inr" }}`` → ₹2,999 (see subscriptions.money)."""
    return money_format(amount, currency)


BANNER_DISMISSED_KEY = "trial_banner_dismissed"


def banner_dismissed_today(request) -> bool:
    """Return whether the user hid the trial banner earlier today (kept in their session)."""
    session = getattr(request, "session", None)
    return bool(session) and session.get(BANNER_DISMISSED_KEY) == timezone.localdate().isoformat()


@register.simple_tag(takes_context=True)
def subscription_banner(context) -> dict | None:
    """Return what the tenant shell's subscription banner shows, or None for no banner.

    A trial shows its days left (info at 7 or more, warn at 3–6, bad at 1–2) unless hidden
    today; a read-only workspace (suspended, cancelled, or trial over) always says so, and a workspace
    being deleted says when, above everything else.
    """
    request = context.get("request")
    entitlements = getattr(request, "entitlements", None)
    user = getattr(request, "user", None)
    if not entitlements or not entitlements.status or not (user and user.is_authenticated):
        return None
    if entitlements.deletion_due_at:
        return {"kind": "deletion", "css": "banner-bad", "due_at": entitlements.deletion_due_at}
    if entitlements.read_only:
        return {"kind": "read_only", "css": "banner-bad", "status": entitlements.status, "held": entitlements.held}
    days = entitlements.days_left_in_trial
    if days is None or banner_dismissed_today(request):
        return None
    css = "banner-info" if days >= 7 else "banner-warn" if days >= 3 else "banner-bad"
    return {"kind": "trial", "css": "banner-info" if entitlements.card_on_file else css, "days": days,
            "tier": catalog.tier(entitlements.tier).name, "card_on_file": entitlements.card_on_file}
