from __future__ import annotations

from django import forms

from sso.models import Protocol


class IdentityProviderForm(forms.Form):
    protocol = forms.ChoiceField(choices=Protocol.choices, widget=forms.RadioSelect, label="Protocol")
    enabled = forms.BooleanField(required=False, label="Offer “Sign in with SSO” on the sign-in page")
    require_sso = forms.BooleanField(
        required=False,
        label="Require SSO for everyone but the owner",
        help_text="Password sign-in is then refused for everyone else; the owner keeps it, so a broken provider "
        "cannot lock the workspace out.",
    )
    issuer = forms.URLField(
        required=False,
        label="OIDC issuer",
        assume_scheme="https",
        help_text="e.g. https://login.example.com; its /.well-known/openid-configuration is read.",
    )
    client_id = forms.CharField(required=False, max_length=255, label="OIDC client id")
    client_secret = forms.CharField(
        required=False,
        max_length=1000,
        label="OIDC client secret",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again; leave blank to keep the saved one.",
    )
    idp_metadata_url = forms.URLField(
        required=False,
        label="SAML metadata URL",
        assume_scheme="https",
        help_text="Fetched when you save; or upload the file below.",
    )
    idp_metadata_file = forms.FileField(
        required=False,
        label="SAML metadata file",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,text/xml,application/xml"}),
    )
    role_claim = forms.CharField(
        required=False,
        max_length=100,
        label="Role claim",
        help_text="The claim (OIDC) or attribute (SAML) holding the person's group, e.g. groups.",
    )
    role_mapping = forms.CharField(
        required=False,
        max_length=5000,
        label="Role mapping",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One “claim value = role” a line, role admin or member; anyone else joins as member.",
    )
