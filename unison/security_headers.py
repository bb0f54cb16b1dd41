"""Send the Content-Security-Policy and Permissions-Policy of ``unison/settings/security.py``."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings

from tenants.hosts import origin


def content_security_policy(request, nonce: str) -> str:
    """Return the policy for this request: the console's on its path, with the nonce and our form targets."""
    directives = {name: list(sources) for name, sources in settings.CSP_DIRECTIVES.items()}
    if request.path.startswith(settings.CSP_CONSOLE_PATH):
        for name, sources in settings.CSP_CONSOLE_DIRECTIVES.items():
            directives.setdefault(name, []).extend(sources)
    directives["script-src"].append(f"'nonce-{nonce}'")
    directives["form-action"] += [origin(settings.UNISON_BASE_DOMAIN), origin(f"*.{settings.UNISON_BASE_DOMAIN}")]
    stripe = urlsplit(settings.STRIPE_API_BASE)
    if stripe.hostname != "api.stripe.com":  # the local stand-in serves Checkout and the portal itself
        directives["form-action"].append(f"{stripe.scheme}://{stripe.netloc}")
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class SecurityHeadersMiddleware:
    """Give each request a nonce (``request.csp_nonce``) and each response the two policies, unless a view
    set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request, request.csp_nonce))
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
