"""Feature gates and the read-only rule, for every kind of caller.

A refused feature answers 403: JSON ``{"code": "feature_not_in_plan", "feature", "upgrade_url"}``
for API and htmx callers, a page with an upgrade link for browsers.
"""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.permissions import SAFE_METHODS, BasePermission

from subscriptions import catalog
from subscriptions.limits import upgrade_url

SAFE = frozenset(SAFE_METHODS)
READ_ONLY_DETAIL = "Your subscription is not active: you can read, export and pay, but not make changes."
DELETION_DETAIL = "This workspace is being deleted: you can read and export, but not make changes (an owner can undo it)."


def _read_only_body(request) -> dict:
    deleting = getattr(request.entitlements, "deletion_due_at", None)
    return {"code": "subscription_read_only", "detail": DELETION_DETAIL if deleting else READ_ONLY_DETAIL,
            "upgrade_url": upgrade_url()}


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def feature_refusal(request, feature_key: str):
    """Return the 403 response for a feature the plan does not include."""
    body = {"code": "feature_not_in_plan", "feature": feature_key, "upgrade_url": upgrade_url()}
    if _wants_json(request):
        return JsonResponse(body, status=403)
    context = {**body, "feature_obj": catalog.feature(feature_key), "tier": catalog.lowest_tier_with(feature_key)}
    return render(request, "subscriptions/feature_refused.html", context, status=403)


def read_only_refusal(request):
    """Return the 403 response for a write while the subscription is suspended or cancelled."""
    body = _read_only_body(request)
    if _wants_json(request):
        return JsonResponse(body, status=403)
    return render(request, "subscriptions/read_only.html", body, status=403)


def feature_required(feature_key: str):
    """Decorate a view so it answers 403 unless the plan includes ``feature_key``."""
    if feature_key not in catalog.FEATURE_KEYS:
        raise ValueError(f"Unknown feature {feature_key!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.entitlements.has(feature_key):
                return feature_refusal(request, feature_key)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def writable_required(view):
    """Decorate a view so writes (non-GET) are refused while the organisation is read-only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in SAFE and request.entitlements.read_only:
            return read_only_refusal(request)
        return view(request, *args, **kwargs)

    return wrapped


class FeatureRequiredMixin:
    """Class-based view mixin: set ``required_feature``; writes also honour the read-only rule."""

    required_feature: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.required_feature and not request.entitlements.has(self.required_feature):
            return feature_refusal(request, self.required_feature)
        if request.method not in SAFE and request.entitlements.read_only:
            return read_only_refusal(request)
        return super().dispatch(request, *args, **kwargs)


class SubscriptionWritable(BasePermission):
    """DRF permission: reads always, writes only while the subscription is not read-only."""

    def has_permission(self, request, view):
        self.message = _read_only_body(request)
        return request.method in SAFE or not request.entitlements.read_only


def has_feature(feature_key: str) -> type[BasePermission]:
    """Return a DRF permission class that requires ``feature_key``."""
    if feature_key not in catalog.FEATURE_KEYS:
        raise ValueError(f"Unknown feature {feature_key!r}")

    class HasFeature(BasePermission):
        def has_permission(self, request, view):
            self.message = {"code": "feature_not_in_plan", "feature": feature_key, "upgrade_url": upgrade_url()}
            return request.entitlements.has(feature_key)

    HasFeature.__name__ = f"HasFeature_{feature_key}"
    return HasFeature
