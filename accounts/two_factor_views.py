"""The second step of sign-in (code), setting up an authenticator, and recovery codes shown once.

The same views serve a workspace (``TENANT_PAGES``) and the console (platform_admin.auth_views), each
with its own templates and URLs. ``TwoFactorLoginMixin`` turns a right password into a pending
sign-in when the account needs a code, or has to set one up first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.services import user_credentials_revoke
from accounts.two_factor import (
    provisioning_uri,
    qr_svg,
    recovery_codes_left,
    totp_device_begin,
    totp_device_confirm,
    two_factor_check,
    two_factor_enabled,
    two_factor_required,
)
from accounts.two_factor_flow import (
    NEW_CODES_KEY,
    STATE_KEY,
    VERIFIED,
    code_attempt,
    pending_begin,
    pending_next,
    pending_user,
    sign_in_complete,
)
from unison.errors import ApplicationError, form_add_error


@dataclass(frozen=True)
class Pages:
    """Where one host's two-factor pages live: templates and URL names."""

    verify_template: str
    enrol_template: str
    codes_template: str
    login_url: str
    verify_url: str
    enrol_url: str
    codes_url: str
    done_url: str
    security_url: str = ""
    context: object = field(default=lambda request: {})  # extra template context (the console's site context)
    form_class: type | None = None  # the code form, CodeForm unless given


TENANT_PAGES = Pages(
    verify_template="accounts/two_factor_verify.html", enrol_template="accounts/two_factor_enrol.html",
    codes_template="accounts/two_factor_codes.html", login_url="accounts:login", verify_url="accounts:two_factor",
    enrol_url="accounts:two_factor_setup", codes_url="accounts:recovery_codes", done_url="/",
    security_url="accounts:security",
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
    )


class TwoFactorLoginMixin:
    """A LoginView whose right password leads to the code (or the set-up) before anyone is signed in."""

    pages: Pages

    def organization(self):
        return getattr(self.request, "tenant", None)

    def form_valid(self, form):
        user = form.get_user()
        if two_factor_enabled(user):
            target = self.pages.verify_url
        elif two_factor_required(user, self.organization()):
            target = self.pages.enrol_url
        else:
            response = super().form_valid(form)
            self.request.session[STATE_KEY] = "none"
            return response
        pending_begin(self.request, user, backend=user.backend, next_url=self.get_success_url())
        return redirect(target)


def _safe_next(request, url: str, default: str) -> str:
    allowed = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return url if allowed else default


def _timed_out(request, pages: Pages):
    messages.info(request, "Your sign-in timed out. Enter your e-mail and password again.")
    return redirect(pages.login_url)


def code_step(request, *, user, check, then, form_class=None):
    """Return (form, status, response) of a page that takes a code: on a valid POST run ``check(code)``
    (a failure counted towards the lockout) and answer ``then(its result)``; else the form to show again."""
    form = (form_class or CodeForm)(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return form, 200, None
    if form.is_valid():
        try:
            result = code_attempt(request, user=user, check=lambda: check(form.cleaned_data["code"]))
            return form, 302, then(result)
        except ApplicationError as exc:
            form_add_error(form, exc)
            return form, exc.status, None
    return form, 400, None


def verify(request, pages: Pages = TENANT_PAGES):
    """Take the code (or a recovery code) of the user whose password was right; then sign them in."""
    user = pending_user(request)
    if user is None:
        return _timed_out(request, pages)

    def signed_in(method: str):
        done = _safe_next(request, pending_next(request, pages.done_url), pages.done_url)
        sign_in_complete(request, user, method=method)
        if method == "recovery_code":
            messages.warning(request, f"You signed in with a recovery code; {recovery_codes_left(user)} left. "
                                      "Each works once.")
        return redirect(done)

    form, status, response = code_step(request, user=user, then=signed_in, form_class=pages.form_class,
                                       check=lambda code: two_factor_check(user=user, code=code))
    if response is not None:
        return response
    context = {**pages.context(request), "form": form, "email": user.email, "title": "Two-factor sign-in"}
    return render(request, pages.verify_template, context, status=status)


def enrol(request, pages: Pages = TENANT_PAGES):
    """Show a new authenticator's QR code and take its first code; then show the recovery codes once."""
    pending = pending_user(request)
    user = pending or (request.user if request.user.is_authenticated else None)
    if user is None:
        return _timed_out(request, pages)
    try:
        device = totp_device_begin(user=user)
    except ApplicationError as exc:
        messages.info(request, exc.message)
        return redirect(pages.security_url or pages.done_url)

    def turned_on(codes: list[str]):
        if pending is not None:
            done = _safe_next(request, pending_next(request, pages.done_url), pages.done_url)
            sign_in_complete(request, user, method="totp")
        else:
            done = reverse(pages.security_url) if pages.security_url else pages.done_url
            # Sessions and tokens made without the second factor end; this one stays.
            update_session_auth_hash(request, user_credentials_revoke(user=user))
            request.session[STATE_KEY] = VERIFIED
        request.session[NEW_CODES_KEY] = {"codes": codes, "next": done}
        return redirect(pages.codes_url)

    form, status, response = code_step(request, user=user, then=turned_on, form_class=pages.form_class,
                                       check=lambda code: totp_device_confirm(user=user, code=code))
    if response is not None:
        return response
    uri = provisioning_uri(device)
    secret = " ".join(device.secret[i:i + 4] for i in range(0, len(device.secret), 4))
    context = {**pages.context(request), "form": form, "qr_svg": qr_svg(uri), "secret": secret, "email": user.email,
               "title": "Set up two-factor sign-in", "signing_in": pending is not None}
    return render(request, pages.enrol_template, context, status=status)


def recovery_codes(request, pages: Pages = TENANT_PAGES):
    """Show the recovery codes just made, once; a second visit says they were shown."""
    if not request.user.is_authenticated:
        return redirect(pages.login_url)
    shown = request.session.pop(NEW_CODES_KEY, None) or {}
    context = {**pages.context(request), "codes": shown.get("codes") or [], "title": "Your recovery codes",
               "next_url": shown.get("next") or pages.done_url}
    return render(request, pages.codes_template, context)
