"""Attach the organisation's entitlements to every tenant request, read at most once in it."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from subscriptions.entitlements import entitlements_for, entitlements_request_scope


class EntitlementsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = getattr(request, "tenant", None)
        request.entitlements = SimpleLazyObject(lambda: entitlements_for(organization))
        with entitlements_request_scope():
            return self.get_response(request)
