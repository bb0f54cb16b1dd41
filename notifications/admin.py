"""Operators see every notice in the console, read-only."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin

from notifications.models import NotificationLog


@admin.register(NotificationLog)
class NotificationLogAdmin(ModelAdmin):
    list_display = ("created_at", "organization", "kind", "occasion", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("organization__name", "organization__slug", "occasion", "subject")
    list_select_related = ("organization",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
