from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PlatformAdminConfig(AppConfig):
    name = "platform_admin"
    verbose_name = "Platform admin"
    default = True
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from platform_admin.receivers import impersonation_sign_out, sign_in_failed, sign_in_succeeded

        user_logged_out.connect(impersonation_sign_out, dispatch_uid="platform_admin.impersonation_sign_out")
        user_logged_in.connect(sign_in_succeeded, dispatch_uid="platform_admin.sign_in_succeeded")
        user_login_failed.connect(sign_in_failed, dispatch_uid="platform_admin.sign_in_failed")


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the operators' console as its default site (superusers only)."""

    default = False
    default_site = "platform_admin.sites.ConsoleSite"

    def ready(self):
        super().ready()  # registers every app's admin
        from django.contrib import admin

        from platform_admin.search_fields import search_fields_prune

        search_fields_prune(admin.site)
