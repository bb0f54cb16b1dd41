"""Operators see every Stripe event's outcome (read-only)."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin

from billing.models import WebhookOutcome


@admin.register(WebhookOutcome)
class WebhookOutcomeAdmin(ModelAdmin):
    list_display = ("created_at", "event_type", "event_id", "organization", "result", "detail")
    list_filter = ("result", "event_type")
    search_fields = ("event_id", "stripe_customer_id", "organization__name", "organization__slug")
    readonly_fields = [f.name for f in WebhookOutcome._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
