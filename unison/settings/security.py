"""Browser policies sent with every response by ``unison.security_headers``.

The Content-Security-Policy keeps scripts to our own files and a per-response nonce (the few inline
scripts carry ``nonce="{{ request.csp_nonce }}"``); everything else loads from the host itself. Two
allowances, each for a thing we ship rather than write: inline styles (style attributes in our
templates, htmx's indicator style, django-unfold's theme colours, ReDoc's styled components) and, on
the console only, ``'unsafe-eval'`` for the standard Alpine.js build in django-unfold, which evaluates
its ``x-data`` expressions. ``form-action`` also lists our other hosts and Stripe's pages, where forms
redirect (signup and impersonation to a tenant host, checkout and the billing portal to Stripe or the
local stand-in); the middleware adds the hosts from the settings at each response.
"""

from __future__ import annotations

CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],  # ReDoc's search runs in a worker made from a blob
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"],
}
CSP_CONSOLE_PATH = "/admin/"
CSP_CONSOLE_DIRECTIVES = {"script-src": ["'unsafe-eval'"]}

# No page of ours uses these browser features; an injected script or frame gets none of them.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb",
))
