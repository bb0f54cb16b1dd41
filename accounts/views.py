"""Sign-in, sign-out, password reset and token sign-in on a tenant host."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from tenants.services import LoginTokenInvalid, login_token_consume


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def token_login(request, signed: str):
    """Sign in with a one-time token issued on the public host (signup, impersonation)."""
    try:
        token = login_token_consume(organization=request.tenant, signed=signed)
        user = get_user_model().objects.get(pk=token.user_id, is_active=True)
    except (LoginTokenInvalid, get_user_model().DoesNotExist) as exc:
        message = str(exc) if isinstance(exc, LoginTokenInvalid) else "This account no longer exists."
        return render(request, "accounts/token_invalid.html", {"message": message}, status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if token.impersonator:
        request.session["impersonator"] = token.impersonator
        request.session["impersonation_token"] = token.pk
        request.session.set_expiry(token.session_seconds or 900)
    return redirect("/")


@require_POST
def logout(request):
    """Sign out; an impersonation session ends the same way."""
    from django.contrib.auth import logout as auth_logout

    auth_logout(request)
    messages.info(request, "You have been signed out.")
    return redirect("accounts:login")
