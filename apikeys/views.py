"""Settings → API keys: list the workspace's keys, make one (its key shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apikeys import selectors, services
from apikeys.forms import APIKeyForm
from shopfloor.permissions import configure_required
from subscriptions import catalog
from unison.errors import ApplicationError, form_add_error


@login_required
@configure_required
@require_http_methods(["GET", "POST"])
def api_key_page(request):
    """Render the keys and the form; a valid POST makes a key and shows it, this once."""
    form, created, raw = APIKeyForm(request.POST or None), None, ""
    allowed = request.entitlements.has("api_access") and not request.entitlements.read_only
    if request.method == "POST" and allowed and form.is_valid():
        try:
            created, raw = services.api_key_create(organization=request.tenant, actor_email=request.user.email,
                                                   **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            form = APIKeyForm()
    context = {"form": form, "keys": selectors.api_key_list(), "created": created, "raw_key": raw,
               "allowed": allowed, "tier": catalog.lowest_tier_with("api_access")}
    return render(request, "apikeys/page.html", context, status=400 if form.is_bound and form.errors else 200)


@require_POST
@login_required
@configure_required
def api_key_revoke(request, pk: int):
    """Revoke the key (allowed on every plan and while read-only: taking access away is always safe)."""
    try:
        key = services.api_key_revoke(organization=request.tenant, key_id=pk, actor_email=request.user.email)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{key} is revoked: calls with it are refused from now on.")
    return redirect("apikeys:page")
