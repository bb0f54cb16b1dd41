"""A workspace user's security page: two-factor sign-in on or off, new recovery codes, and (owners) the rule
that every member of the workspace needs it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.models import Role
from accounts.services import user_credentials_revoke
from accounts.two_factor import (
    recovery_codes_issue,
    recovery_codes_left,
    two_factor_check,
    two_factor_disable,
    two_factor_enabled,
)
from accounts.two_factor_flow import NEW_CODES_KEY, STATE_KEY, session_verified
from accounts.two_factor_views import CodeForm, code_step
from tenants.services import organization_two_factor_set


@login_required
def security(request):
    user, organization = request.user, request.tenant
    enabled = two_factor_enabled(user)
    form, status = CodeForm(), 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "codes" and enabled and session_verified(request):
        request.session[NEW_CODES_KEY] = {"codes": recovery_codes_issue(user=user), "next": request.path}
        return redirect("accounts:recovery_codes")
    if action == "disable" and enabled and organization.require_two_factor:
        messages.error(request, f"{organization.name} requires two-factor sign-in; it can't be turned off.")
        status = 409
    elif action == "disable" and enabled:
        def turned_off(_method):
            two_factor_disable(user=user)
            update_session_auth_hash(request, user_credentials_revoke(user=user))
            request.session[STATE_KEY] = "none"
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("accounts:security")

        form, status, response = code_step(request, user=user, then=turned_off,
                                           check=lambda code: two_factor_check(user=user, code=code))
        if response is not None:
            return response
    if action in ("require", "allow") and user.role == Role.OWNER:
        if action == "require" and not (enabled and session_verified(request)):
            messages.error(request, "Turn on two-factor sign-in for yourself first.")
            status = 409
        else:
            organization_two_factor_set(organization=organization, required=action == "require")
            messages.success(request, "Every member now needs two-factor sign-in." if action == "require"
                             else "Two-factor sign-in is now each member's choice.")
            return redirect("accounts:security")
    form.fields["code"].widget.attrs.pop("autofocus", None)  # the page is not only this form
    context = {"enabled": enabled, "codes_left": recovery_codes_left(user) if enabled else 0, "form": form,
               "is_owner": user.role == Role.OWNER, "required": organization.require_two_factor}
    return render(request, "accounts/security.html", context, status=status)
