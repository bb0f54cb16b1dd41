"""Template helpers: ``{% load subscription_tags %}`` then ``{% if request|has_feature:"api_access" %}``."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def has_feature(request, feature_key: str) -> bool:
    entitlements = getattr(request, "entitlements", None)
    return bool(entitlements and entitlements.has(feature_key))


@register.filter
def cents(amount: int) -> str:
    """Format integer cents as dollars: 4900 → $49, 52920 → $529.20."""
    dollars, rest = divmod(int(amount), 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"
