"""Subscription pages on a tenant host: hiding the trial banner for the rest of the day."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from subscriptions.templatetags.subscription_tags import BANNER_DISMISSED_KEY


@require_POST
@login_required
def dismiss_trial_banner(request):
    """Hide the trial banner until tomorrow; answer htmx with nothing to swap in, browsers with a redirect."""
    request.session[BANNER_DISMISSED_KEY] = timezone.localdate().isoformat()
    if request.htmx:
        return HttpResponse("")
    target = request.POST.get("next", "/")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if safe else "/")
