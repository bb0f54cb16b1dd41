from __future__ import annotations

from django import forms

from apikeys.models import Scope

EXPIRY_CHOICES = [("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never")]


class APIKeyForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="Say what uses it, e.g. “ERP sync”.")
    scope = forms.ChoiceField(choices=Scope.choices, widget=forms.RadioSelect, initial=Scope.READ,
                              help_text="Read keys may only fetch; write keys may also create and change records.")
    expires_in_days = forms.TypedChoiceField(choices=EXPIRY_CHOICES, coerce=int, empty_value=None, required=False,
                                             initial="90", label="Expires")
