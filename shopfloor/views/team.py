"""The team page (invitations, configure only) and the page where an invitee accepts."""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shopfloor import forms, services
from shopfloor.models import Invitation
from shopfloor.permissions import ConfigureRequiredMixin, configure_required
from shopfloor.views.base import RecordFormView, refusal_for
from subscriptions.gates import writable_required
from subscriptions.limits import LimitExceeded, limit_check
from unison.errors import form_add_error


class TeamView(ConfigureRequiredMixin, RecordFormView):
    template_name = "shopfloor/team.html"
    form_class = forms.InviteForm
    title = "Team"
    submit_label = "Send invitations"
    success_message = "Invitations sent."

    def get_context_data(self, **kwargs):
        invitations = list(Invitation.objects.filter(accepted_at__isnull=True))
        return super().get_context_data(
            users=get_user_model().objects.filter(is_active=True),
            invitations=invitations,
            limit=limit_check(self.request.tenant, "add_user", pending=len(invitations)),
            **kwargs,
        )

    def save(self, form):
        return services.invitations_send(
            organization=self.request.tenant, invited_by=self.request.user,
            impersonated_by=self.request.session.get("impersonator", ""), **form.cleaned_data
        )

    def get_success_url_for(self, record) -> str:
        return self.request.path


@require_POST
@login_required
@writable_required
@configure_required
def invitation_withdraw(request, pk: int):
    """Withdraw a pending invitation."""
    services.invitation_withdraw(invitation=get_object_or_404(Invitation, pk=pk))
    return redirect("shopfloor:team")


@writable_required
def invitation_accept(request, signed: str):
    """Let an invitee choose a name and password, then sign them in."""
    organization = request.tenant
    try:
        invitation = services.invitation_from_link(organization=organization, signed=signed)
    except services.InvitationInvalid as exc:
        return render(request, "shopfloor/invitation_invalid.html", {"message": str(exc)}, status=403)
    form = forms.InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(organization=organization, signed=signed, **form.cleaned_data)
        except services.InvitationInvalid as exc:
            return render(request, "shopfloor/invitation_invalid.html", {"message": str(exc)}, status=403)
        except LimitExceeded as exc:
            return refusal_for(request, exc)
        except ValidationError as exc:
            form_add_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("shopfloor:dashboard")
    return render(request, "shopfloor/invitation_accept.html", {"form": form, "invitation": invitation})
