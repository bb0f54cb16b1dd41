"""Settings → Custom domains (owners): claim a host, see its DNS record, verify it, remove it."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from domains import selectors, services
from domains.forms import CustomDomainForm
from domains.models import Status
from shopfloor.permissions import configure_refusal
from subscriptions import catalog
from tenants.hosts import origin
from unison.errors import ApplicationError, form_add_error


def owner_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs) if request.user.is_owner else configure_refusal(request)

    return wrapped


def _allowed(request) -> bool:
    return request.entitlements.has(selectors.FEATURE) and not request.entitlements.read_only


@login_required
@owner_required
@require_http_methods(["GET", "POST"])
def domain_page(request):
    """Render the workspace's hosts with their DNS records and the form; a valid POST claims a host."""
    form = CustomDomainForm(request.POST or None)
    if request.method == "POST" and _allowed(request) and form.is_valid():
        try:
            row = services.custom_domain_add(
                organization=request.tenant, actor_email=request.user.email, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, f"{row.host} is added: create its DNS record, then verify it.")
            return redirect("domains:page")
    rows = [
        (row, selectors.custom_domain_record(row), origin(row.host) + "/")
        for row in selectors.custom_domain_list(organization=request.tenant)
    ]
    context = {
        "form": form,
        "rows": rows,
        "allowed": _allowed(request),
        "Status": Status,
        "tier": catalog.lowest_tier_with(selectors.FEATURE),
        "current_host": request.tenant.domain_url,
    }
    return render(request, "domains/page.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
@owner_required
def domain_verify(request, pk: int):
    """Check the host's TXT record now."""
    if not _allowed(request):
        return redirect("domains:page")
    try:
        row = services.custom_domain_verify(organization=request.tenant, domain_id=pk, actor_email=request.user.email)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if row.status == Status.VERIFIED:
            messages.success(request, f"{row.host} is verified: this workspace answers there now.")
        else:
            messages.error(request, f"{row.host} is not verified yet: the reason is under it.")
    return redirect("domains:page")


@require_POST
@login_required
@owner_required
def domain_remove(request, pk: int):
    """Stop serving the workspace on the host (allowed on every plan: taking a host away is always safe)."""
    try:
        row = services.custom_domain_remove(organization=request.tenant, domain_id=pk, actor_email=request.user.email)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{row.host} is removed: this workspace no longer answers there.")
    return redirect("domains:page")
