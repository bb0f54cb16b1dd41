"""Resolve the request's host to the public site or an organisation's schema."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http.request import split_domain_port, validate_host
from django.shortcuts import render
from django.urls import set_urlconf
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_limit_set_calls

from tenants.domain_cache import organization_for_host


class TenantMiddleware(TenantMainMiddleware):
    """Serve the public site on the base domain and each organisation on its subdomain.

    The host is looked up in the shared cache (``tenants.domain_cache``), not with a query per
    request; with ``TENANT_LIMIT_SET_CALLS`` the search path is then set once, by the first query,
    and not at all when the connection (kept from an earlier request) already searches that schema.
    """

    @staticmethod
    def hostname_from_request(request):
        """Return the request's host name without port, lowercased (domains are stored lowercase)."""
        return request.get_host().split(":")[0].lower()

    @staticmethod
    def allow_custom_host(request) -> None:
        """Let a host outside ALLOWED_HOSTS through when it is a workspace's verified custom domain.

        ALLOWED_HOSTS lists the base domain and its subdomains; a custom domain (``mes.example.com``) is
        allowed only while a ``Domain`` row holds it (verification makes one, removal deletes it), so
        ``request.get_host()`` (CSRF's same-origin check, absolute URLs) answers it on this request alone.
        Any other host still fails Django's check: a 400.
        """
        raw = request._get_raw_host()
        domain, _ = split_domain_port(raw)
        if domain and not validate_host(domain, settings.ALLOWED_HOSTS) and organization_for_host(domain):
            request.get_host = lambda: raw

    def process_request(self, request):
        in_place = self._search_path_in_place()
        connection.set_schema_to_public()
        self.allow_custom_host(request)
        host = self.hostname_from_request(request)  # a host not in ALLOWED_HOSTS raises: Django answers 400
        if host == settings.UNISON_BASE_DOMAIN or host.startswith("www.") and host[4:] == settings.UNISON_BASE_DOMAIN:
            self._keep_search_path(in_place)
            return self._public(request)
        organization = organization_for_host(host)
        if organization is None:
            return self.no_tenant_found(request, host)
        organization.domain_url = host
        request.tenant = organization
        self.setup_url_routing(request)
        if not organization.is_active:
            return render(request, "tenants/deactivated.html", {"organization": organization}, status=403)
        in_place = self._search_path_in_place(in_place)  # the domain query of a cache miss set "public"
        connection.set_tenant(organization)
        self._keep_search_path(in_place)
        return None

    @staticmethod
    def _search_path_in_place(before=None):
        """Return (the database connection, the schemas its session searches), by django-tenants' own account.

        django-tenants forgets what it set on close, rollback and savepoint rollback (which lose or undo
        a SET) and on every change of schema; ``before`` is what held before the last change, if nothing
        was set since.
        """
        if connection.search_path_set_schemas is None and before is not None:
            return before
        return connection.connection, connection.search_path_set_schemas

    @staticmethod
    def _keep_search_path(in_place) -> None:
        """Skip the SET when the same database session already searches exactly the schemas needed now."""
        raw, schemas = in_place
        if (get_limit_set_calls() and raw is not None and raw is connection.connection and schemas is not None
                and schemas == connection._get_cursor_search_paths()):
            connection.search_path_set_schemas = schemas

    @staticmethod
    def _public(request):
        request.tenant = None
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        set_urlconf(request.urlconf)

    def no_tenant_found(self, request, hostname):
        self._public(request)
        return render(request, "tenants/unknown_host.html", {"hostname": hostname}, status=404)
