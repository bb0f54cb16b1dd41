"""Paid access follows payment: a workspace whose plan no longer includes custom domains is served on its own address.

Its verified hosts stay claimed (an upgrade serves them again at once), but a request on one is sent to
the same path on the workspace's own host (a GET) or refused with a 403 naming why (anything else, whose
body a redirect to another origin would lose).
"""

from __future__ import annotations

from django.http import HttpResponseRedirect, JsonResponse

from domains.hosts import host_is_ours
from domains.selectors import FEATURE
from tenants.hosts import origin


class CustomHostPlanMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        organization = getattr(request, "tenant", None)
        own_host = getattr(organization, "host", None)
        served_on = getattr(organization, "domain_url", None)
        if own_host and served_on and not host_is_ours(served_on) and not request.entitlements.has(FEATURE):
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(origin(own_host) + request.get_full_path())
            return JsonResponse({"detail": f"{served_on} is served only on plans with custom domains: use "
                                           f"{origin(own_host)}.", "code": "custom_domain_not_in_plan"}, status=403)
        return self.get_response(request)

