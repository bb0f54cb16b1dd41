"""The console's sign-in: password, then the operator's code (or, the first time, setting one up).

Operators always need two-factor sign-in; one without an authenticator sets it up right after the
password (scan the QR code, enter a first code, keep the recovery codes) before the console opens.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.urls import reverse
from unfold.widgets import UnfoldAdminTextInputWidget

from accounts import two_factor_views
from accounts.two_factor_views import CodeForm, Pages, TwoFactorLoginMixin
from platform_admin.permissions import is_operator


class ConsoleCodeForm(CodeForm):
    """The code field, drawn as the console draws its inputs."""

    code = forms.CharField(label=CodeForm.base_fields["code"].label, max_length=32,
                           help_text=CodeForm.base_fields["code"].help_text,
                           widget=UnfoldAdminTextInputWidget(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                                                    "spellcheck": "false"}))


def console_pages(site) -> Pages:
    return Pages(
        verify_template="platform_admin/two_factor_verify.html", enrol_template="platform_admin/two_factor_enrol.html",
        codes_template="platform_admin/two_factor_codes.html", login_url="admin:login",
        verify_url="admin:two_factor", enrol_url="admin:two_factor_setup", codes_url="admin:recovery_codes",
        done_url=reverse("admin:index", current_app=site.name), context=site.each_context,
        form_class=ConsoleCodeForm,
    )


class ConsoleLoginView(TwoFactorLoginMixin, auth_views.LoginView):
    """Django's admin sign-in form; a right password leads to the code, never straight into the console."""

    site = None

    @property
    def pages(self) -> Pages:
        return console_pages(self.site)

    def organization(self):
        return None  # operators: always two-factor

    def form_valid(self, form):
        if not is_operator(form.get_user()):
            form.add_error(None, "This account has no console role. Ask a console owner to give it one.")
            return self.form_invalid(form)
        return super().form_valid(form)


def verify(request, site):
    return two_factor_views.verify(request, console_pages(site))


def enrol(request, site):
    return two_factor_views.enrol(request, console_pages(site))


def recovery_codes(request, site):
    return two_factor_views.recovery_codes(request, console_pages(site))
