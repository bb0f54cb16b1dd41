"""Sign-in, sign-out, password reset and token sign-in on a tenant host."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts import sign_in_rules
from accounts.two_factor_views import TENANT_PAGES, TwoFactorLoginMixin
from tenants.hosts import origin
from tenants.services import LoginTokenInvalid, login_token_consume


class LoginView(TwoFactorLoginMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    pages = TENANT_PAGES

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **sign_in_rules.page_context(self.request)}

    def form_valid(self, form):
        refusal = sign_in_rules.password_refusal(self.request, form.get_user())
        if refusal:
            form.add_error(None, refusal)
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # The link's scheme and port come from our settings, and its host is one of the workspace's own domains
        # (the one asked on: its subdomain or a verified custom domain), never whatever the Host header says.
        scheme, _, domain = origin(self.request.tenant.domain_url).partition("://")
        self.extra_email_context = {"protocol": scheme, "domain": domain}  # the e-mail's context takes these last
        return super().form_valid(form)


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
        # The absolute end, enforced on every request by platform_admin's ImpersonationMiddleware. The
        # session itself outlives it (without sliding), so the first request after the end meets the
        # middleware, which records the end and sends the operator back to the console.
        ends_at = token.used_at + timedelta(seconds=token.session_seconds or 900)
        request.session["impersonation_ends_at"] = ends_at.isoformat()
        request.session.set_expiry(ends_at + timedelta(hours=1))
    return redirect("/")


@require_POST
def logout(request):
    """Sign out; an impersonation session ends the same way, and its operator returns to the console."""
    from django.contrib.auth import logout as auth_logout

    impersonation = getattr(request, "impersonation", None)  # set by platform_admin's ImpersonationMiddleware
    auth_logout(request)
    if impersonation is not None:
        return redirect(impersonation.console_url)
    messages.info(request, "You have been signed out.")
    return redirect("accounts:login")
