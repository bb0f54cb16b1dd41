"""Resolve the request's host to the public site or an organisation's schema."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.domain_cache import organization_for_host


class TenantMiddleware(TenantMainMiddleware):
    """Serve the public site on the base domain and each organisation on its subdomain.

    The host is looked up in the shared cache (``tenants.domain_cache``), not with a query per
    request; with ``TENANT_LIMIT_SET_CALLS`` the search path is then set once, by the first query.
    """

    @staticmethod
    def hostname_from_request(request):
        """Return the request's host name without port, lowercased (domains are stored lowercase)."""
        return request.get_host().split(":")[0].lower()

    def process_request(self, request):
        connection.set_schema_to_public()
        host = self.hostname_from_request(request)  # a host not in ALLOWED_HOSTS raises: Django answers 400
        if host == settings.UNISON_BASE_DOMAIN or host.startswith("www.") and host[4:] == settings.UNISON_BASE_DOMAIN:
            return self._public(request)
        organization = organization_for_host(host)
        if organization is None:
            return self.no_tenant_found(request, host)
        organization.domain_url = host
        request.tenant = organization
        self.setup_url_routing(request)
        if not organization.is_active:
            return render(request, "tenants/deactivated.html", {"organization": organization}, status=403)
        connection.set_tenant(organization)
        return None

    @staticmethod
    def _public(request):
        request.tenant = None
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        set_urlconf(request.urlconf)

    def no_tenant_found(self, request, hostname):
        self._public(request)
        return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)
