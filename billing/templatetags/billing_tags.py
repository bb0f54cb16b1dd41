"""Template helpers for billing: ``{% load billing_tags %}`` then ``{% storage_overage_data as overage %}``."""

from __future__ import annotations

from django import template

from billing import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def storage_overage_data(context) -> dict | None:
    """Return ``billing.selectors.storage_overage`` for the request's workspace (None outside one), or the
    page's own ``overage`` when its view made it."""
    if "overage" in context:
        return context["overage"]
    organization = getattr(context.get("request"), "tenant", None)
    if organization is None or not hasattr(organization, "subscription"):
        return None
    return selectors.storage_overage(organization)
