"""Settings → Delete workspace: an owner asks for the deletion (typing the name), or undoes it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from deletion import services
from deletion.forms import DeletionForm
from unison.errors import ApplicationError, form_add_error


def _not_owner(request):
    return render(request, "deletion/not_allowed.html", {"detail": services.NOT_OWNER}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def deletion_page(request):
    """Explain what deletion does and when; a valid POST asks for it. No read-only gate: that is its effect."""
    if request.user.role != "owner":
        return _not_owner(request)
    form = DeletionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deletion_request(
                organization=request.tenant, user=request.user, confirm_name=form.cleaned_data["confirm_name"]
            )
        except ApplicationError as exc:
            form_add_error(form, exc)
        else:
            messages.success(request, "Deletion asked for: the workspace is read-only until it is deleted.")
            return redirect("deletion:page")
    context = {
        "form": form,
        "grace_days": services.GRACE.days,
        "due_at": request.tenant.deletion_due_at,
        "would_be_due": services.deletion_due_from_now(),
    }
    return render(request, "deletion/page.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def deletion_undo(request):
    """Take the deletion back (owners, during the grace period)."""
    if request.user.role != "owner":
        return _not_owner(request)
    try:
        services.deletion_undo(organization=request.tenant, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Deletion undone: the workspace is yours to change again.")
    return redirect("deletion:page")
