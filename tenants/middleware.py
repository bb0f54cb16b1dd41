"""Resolve the request's host to the public site or an organisation's schema."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware


class TenantMiddleware(TenantMainMiddleware):
    """Serve the public site on the base domain and each organisation on its subdomain."""

    @staticmethod
    def hostname_from_request(request):
        """Return the request's host name without port, lowercased (domains are stored lowercase)."""
        return TenantMainMiddleware.hostname_from_request(request).lower()

    def process_request(self, request):
        connection.set_schema_to_public()
        host = request.get_host().split(":")[0].lower()
        if host == settings.UNISON_BASE_DOMAIN or host.startswith("www.") and host[4:] == settings.UNISON_BASE_DOMAIN:
            request.tenant = None
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            set_urlconf(request.urlconf)
            return None
        response = super().process_request(request)
        if response is None and not request.tenant.is_active:
            connection.set_schema_to_public()
            return render(request, "tenants/deactivated.html", {"organization": request.tenant}, status=403)
        return response

    def no_tenant_found(self, request, hostname):
        request.tenant = None
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        set_urlconf(request.urlconf)
        return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)
