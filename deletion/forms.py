from __future__ import annotations

from django import forms


class DeletionForm(forms.Form):
    confirm_name = forms.CharField(
        max_length=120,
        label="Type the workspace's name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
