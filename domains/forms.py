from __future__ import annotations

from django import forms


class CustomDomainForm(forms.Form):
    host = forms.CharField(
        max_length=300,
        label="Host name",
        widget=forms.TextInput(
            attrs={"placeholder": "mes.yourcompany.com", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text="A host of your company's domain, without http:// or a path. International names are fine.",
    )
