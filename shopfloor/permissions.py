"""Who may do what on the shop floor: owners and admins configure, members operate."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS, BasePermission

from subscriptions import catalog
from subscriptions.limits import upgrade_url
from unison.errors import ApplicationError


class FeatureNotInPlan(ApplicationError):
    """The organisation's plan does not include the feature this write needs (a 403 naming it)."""

    code = "feature_not_in_plan"
    status = 403

    def __init__(self, feature_key: str):
        name = catalog.feature(feature_key).name
        super().__init__(f"{name} is not in your plan: upgrade to use it.",
                         extra={"feature": feature_key, "upgrade_url": upgrade_url()})
        self.feature = feature_key


def configure_refusal(request):
    """Return the 403 page shown to a member who tries to change the configuration."""
    return render(request, "shopfloor/not_allowed.html", status=403)


def configure_required(view):
    """Decorate a view so only owners and admins may use it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.can_configure:
            return configure_refusal(request)
        return view(request, *args, **kwargs)

    return wrapped


class ConfigureRequiredMixin:
    """Class-based view mixin: only owners and admins may use the view."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_configure:
            return configure_refusal(request)
        return super().dispatch(request, *args, **kwargs)


class CanConfigureOrReadOnly(BasePermission):
    """DRF permission: everyone reads; only owners and admins write."""

    message = {"code": "role_not_allowed", "detail": "Only owners and admins can change this."}

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or request.user.can_configure
