from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PlatformAdminConfig(AppConfig):
    name = "platform_admin"
    default = True
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from platform_admin.receivers import impersonation_sign_out

        user_logged_out.connect(impersonation_sign_out, dispatch_uid="platform_admin.impersonation_sign_out")


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the operators' console as its default site (superusers only)."""

    default = False
    default_site = "platform_admin.sites.ConsoleSite"

    def ready(self):
        super().ready()  # registers every app's admin
        from django.contrib import admin

        from platform_admin.search_fields import search_fields_prune

        search_fields_prune(admin.site)
