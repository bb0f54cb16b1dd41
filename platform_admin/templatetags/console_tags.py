"""Console template helpers: ``{% load console_tags %}`` then ``{{ action|action_label }}``."""

from __future__ import annotations

from django import template

from platform_admin.models import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """Return an audit log action in words ("Extended the trial" for ``subscription_extend_trial``)."""
    return _action_label(action)


@register.filter
def value_of(row: dict, key: str):
    """Return ``row[key]`` (a table partial told which column names its rows)."""
    return row.get(key)
