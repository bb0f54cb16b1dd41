"""The public forms: signup (field checks here, business rules in marketing.services.signup_validate),
the sign-in's workspace address and the workspace finder."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from marketing.currency import NAMES as CURRENCY_NAMES
from marketing.services import (
    FULL_NAME_MAX_LENGTH,
    ORGANIZATION_NAME_MAX_LENGTH,
    signup_validate,
    subdomain_normalize,
)
from subscriptions import catalog
from tenants.models import Industry, Organization
from tenants.slugs import MAX_LENGTH

NO_SUCH_WORKSPACE = "No workspace has this address. Check the spelling, or find your workspaces by e-mail below."


class SignupForm(forms.Form):
    organization_name = forms.CharField(
        label="Company name",
        max_length=ORGANIZATION_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    subdomain = forms.CharField(
        label="Workspace address",
        max_length=MAX_LENGTH,
        help_text="Lowercase letters, digits and hyphens. You can't change it later.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                # Check availability as the visitor types (htmx).
                "hx-get": reverse_lazy("marketing:signup_check_subdomain", urlconf=settings.PUBLIC_SCHEMA_URLCONF),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#subdomain-status",
                "hx-sync": "this:replace",
            }
        ),
    )
    full_name = forms.CharField(
        label="Your name",
        max_length=FULL_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label="Work e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text=" ".join(password_validators_help_texts()),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    industry = forms.ChoiceField(
        label="Industry",
        required=False,
        choices=[("", "Choose your industry"), *Industry.choices],
    )
    currency = forms.ChoiceField(
        label="Billing currency",
        required=False,
        choices=[(code, f"{code.upper()} – {name}") for code, name in CURRENCY_NAMES.items()],
        help_text="What you pay in when you subscribe; fixed at your first payment.",
        error_messages={"invalid_choice": "Choose USD, EUR or INR: we don't sell in “%(value)s”."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_currency(self) -> str:
        return self.cleaned_data.get("currency") or self.initial.get("currency") or catalog.CURRENCY

    def clean(self) -> dict:
        """Add the business rules' messages to fields that passed their own checks."""
        data = super().clean()
        try:
            signup_validate(**{name: data.get(name) or "" for name in self.fields if name != "currency"})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field, messages)
        return data


class WorkspaceAddressForm(forms.Form):
    """The public sign-in: a workspace's address, to go to its own sign-in page."""

    subdomain = forms.CharField(
        label="Workspace address",
        max_length=MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_subdomain(self) -> str:
        subdomain = subdomain_normalize(self.cleaned_data["subdomain"]).removesuffix(f".{settings.UNISON_BASE_DOMAIN}")
        if not Organization.objects.filter(slug=subdomain, is_active=True).exists():
            raise ValidationError(NO_SUCH_WORKSPACE)
        return subdomain


class WorkspaceFindForm(forms.Form):
    """The workspace finder: the e-mail to send the list of workspaces to."""

    email = forms.EmailField(
        label="Your e-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
