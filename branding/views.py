"""Settings → Branding (owners and admins), and the logo file itself (public: e-mails show it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from branding import logos, selectors, services
from branding.forms import BrandingForm
from shopfloor.permissions import configure_required
from subscriptions import catalog
from unison.errors import ApplicationError, form_add_error


@login_required
@configure_required
@require_http_methods(["GET", "POST"])
def branding_page(request):
    """Render the branding form; a valid POST saves every change or none."""
    row = selectors.branding_row()
    initial = {"accent_colour": row.accent_colour, "email_sender_name": row.email_sender_name} if row else {}
    form = BrandingForm(request.POST or None, request.FILES or None, initial=initial)
    allowed = request.entitlements.has(selectors.FEATURE) and not request.entitlements.read_only
    if request.method == "POST" and allowed and form.is_valid():
        try:
            services.branding_change(organization=request.tenant, actor_email=request.user.email, **form.cleaned_data)
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "Branding saved: this workspace's pages and e-mails use it now.")
            return redirect("branding:page")
    context = {"form": form, "row": row, "look": selectors.branding_look(), "allowed": allowed,
               "tier": catalog.lowest_tier_with(selectors.FEATURE)}
    return render(request, "branding/page.html", context, status=400 if form.errors else 200)


@require_GET
def logo(request, name: str):
    """Serve the workspace's current logo; any other name, or another workspace's, is a 404."""
    look = selectors.branding_look()
    file = logos.logo_open(name) if name == look.logo_name else None
    if file is None:
        raise Http404("No such logo.")
    response = FileResponse(file, content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # the name is the content's hash
    return response
