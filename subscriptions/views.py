"""Subscription pages on a tenant host: hiding the trial banner for the rest of the day, asking for more trial days."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Role
from subscriptions import selectors, services
from subscriptions.forms import TrialExtensionForm
from subscriptions.models import Subscription
from subscriptions.templatetags.subscription_tags import BANNER_DISMISSED_KEY
from unison.errors import ApplicationError, form_add_error


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


@login_required
def trial_extension(request):
    """Show the workspace's request for more trial days, or (to an owner, during the trial) the form to make it."""
    organization = request.tenant
    existing = selectors.trial_extension_for(organization)
    subscription = Subscription.objects.filter(organization=organization).first()
    refusal = services.trial_extension_refusal(subscription)
    is_owner = request.user.role == Role.OWNER
    form = TrialExtensionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.trial_extension_request_create(organization=organization, user=request.user,
                                                    **form.cleaned_data)
            messages.success(request, "Your request is on its way to our team; we will answer by e-mail.")
            return redirect("subscriptions:trial_extension")
        except (ValidationError, ApplicationError) as exc:
            form_add_error(form, exc)
    context = {"extension": existing, "form": form, "refusal": refusal, "is_owner": is_owner,
               "subscription": subscription}
    return render(request, "subscriptions/trial_extension.html", context, status=400 if form.errors else 200)
