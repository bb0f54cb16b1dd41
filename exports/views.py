"""Settings → Export: start an export, follow it (htmx polls while it runs), download the zip."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from exports import selectors, services
from exports.permissions import REFUSAL, can_export
from unison.errors import ApplicationError


@login_required
@require_http_methods(["GET", "POST"])
def export_page(request):
    """Render the export page (its status part alone for htmx); a POST starts an export.

    No read-only gate: a suspended or cancelled workspace must still be able to take its data.
    """
    if not can_export(request.user):
        return render(request, "exports/not_allowed.html", {"detail": REFUSAL["detail"]}, status=403)
    if request.method == "POST":
        try:
            export = services.export_request(organization=request.tenant, user=request.user,
                                             impersonator=request.session.get("impersonator", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Export {export.pk} started: this page shows its progress.")
        return redirect("exports:page")
    context = {"exports": selectors.exports_recent(), "keep_files": services.KEEP_FILES}
    context["latest"] = context["exports"][0] if context["exports"] else None
    template = "exports/_status.html" if request.htmx else "exports/page.html"
    return render(request, template, context)
