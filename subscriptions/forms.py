"""Forms of the subscription pages on a tenant host."""

from __future__ import annotations

from django import forms

from subscriptions.services.trial_requests import REASON_MAX_LENGTH, REASON_REQUIRED, TRIAL_EXTENSION_DAYS


class TrialExtensionForm(forms.Form):
    days = forms.IntegerField(
        label="More days", min_value=1, max_value=TRIAL_EXTENSION_DAYS, initial=7,
        help_text=f"From 1 to {TRIAL_EXTENSION_DAYS}. Operators may grant a different number.",
    )
    reason = forms.CharField(
        label="Why you need more time", max_length=REASON_MAX_LENGTH, error_messages={"required": REASON_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Operators read it before they decide (up to {REASON_MAX_LENGTH} characters).",
    )
