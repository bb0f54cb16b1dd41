"""The operators' console: Django's admin (styled by unfold) for operators only.

It is the default admin site (``ConsoleAdminConfig``), so every app's ``admin.site.register``
lands here and sits behind the same check: an active superuser with a console role, signed in
with two-factor (``platform_admin.permissions``). What each role may do there is checked by each
page and action.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from unfold.sites import UnfoldAdminSite

from platform_admin import auth_views, views
from platform_admin.permissions import IMPERSONATE, METRICS, READ, is_operator, operator_can, request_verified


def area_view(site, area: str, view):
    """Wrap a console page: operators only (admin_view), and a 403 unless their role covers ``area``."""
    def checked(request, *args, **kwargs):
        if not operator_can(request.user, area):
            raise PermissionDenied(f"Your console role ({request.user.console_role}) does not cover {area}.")
        return view(request, *args, **kwargs)

    return site.admin_view(checked)


class ConsoleSite(UnfoldAdminSite):
    site_header = "Unison console"
    site_title = "Unison console"
    index_title = "Dashboard"
    index_template = "platform_admin/dashboard.html"

    def has_permission(self, request) -> bool:
        """Let in operators (active superusers with a console role) who signed in with two-factor."""
        return is_operator(request.user) and request_verified(request)

    def login(self, request, extra_context=None):
        """Password first, then the code (``auth_views``); back to the console after (unfold drops ``next``)."""
        if request.method == "GET" and REDIRECT_FIELD_NAME not in request.GET:
            return redirect(f"{request.path}?{urlencode({REDIRECT_FIELD_NAME: reverse('admin:index', current_app=self.name)})}")
        if request.method == "GET" and self.has_permission(request):
            return redirect("admin:index")
        from django.contrib.admin.forms import AdminAuthenticationForm

        context = {**self.each_context(request), "title": "Log in", "subtitle": None,
                   "app_path": request.get_full_path(), "username": request.user.get_username(),
                   **(extra_context or {})}
        request.current_app = self.name
        view = auth_views.ConsoleLoginView.as_view(
            extra_context=context, authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html", site=self)
        return view(request)

    def index(self, request, extra_context=None):
        if not operator_can(request.user, METRICS):
            return redirect("admin:tenants_organization_changelist")  # the dashboard is all metrics
        return super().index(request, {**views.dashboard_context(request), **(extra_context or {})})

    def get_urls(self):
        own = [
            path("login/two-factor/", never_cache(lambda request: auth_views.verify(request, self)), name="two_factor"),
            path("login/set-up/", never_cache(lambda request: auth_views.enrol(request, self)), name="two_factor_setup"),
            path("recovery-codes/", self.admin_view(lambda request: auth_views.recovery_codes(request, self)),
                 name="recovery_codes"),
        ]
        return own + super().get_urls()

    def extra_urls(self):
        return [
            path("usage/", area_view(self, READ, lambda request: views.usage(request, self)), name="usage"),
            path("metrics/csv/<str:table>/", area_view(self, METRICS, views.metrics_csv), name="metrics_csv"),
            path("impersonate/", area_view(self, IMPERSONATE, lambda request: views.impersonate(request, self)),
                 name="impersonate"),
            path("impersonate/ended/<int:token_id>/", area_view(self, READ, views.impersonation_ended),
                 name="impersonation_ended"),
        ]
