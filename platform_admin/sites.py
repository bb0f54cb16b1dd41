"""The operators' console: Django's admin (styled by unfold) for superusers only.

It is the default admin site (``ConsoleAdminConfig``), so every app's ``admin.site.register``
lands here and sits behind the same superuser check.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import path, reverse
from unfold.sites import UnfoldAdminSite

from platform_admin import views


class ConsoleSite(UnfoldAdminSite):
    site_header = "Unison console"
    site_title = "Unison console"
    index_title = "Dashboard"
    index_template = "platform_admin/dashboard.html"

    def has_permission(self, request) -> bool:
        """Let in active superusers only; staff without it are refused."""
        user = request.user
        return user.is_active and user.is_superuser

    def login(self, request, extra_context=None):
        """Send operators back to the console after signing in (unfold's form drops Django's ``next``)."""
        if request.method == "GET" and REDIRECT_FIELD_NAME not in request.GET:
            return redirect(f"{request.path}?{urlencode({REDIRECT_FIELD_NAME: reverse('admin:index', current_app=self.name)})}")
        return super().login(request, extra_context)

    def index(self, request, extra_context=None):
        return super().index(request, {**views.dashboard_context(request), **(extra_context or {})})

    def extra_urls(self):
        return [
            path("usage/", self.admin_view(lambda request: views.usage(request, self)), name="usage"),
            path("metrics/csv/<str:table>/", self.admin_view(views.metrics_csv), name="metrics_csv"),
            path("impersonate/", self.admin_view(lambda request: views.impersonate(request, self)), name="impersonate"),
            path("impersonate/ended/<int:token_id>/", self.admin_view(views.impersonation_ended),
                 name="impersonation_ended"),
        ]
