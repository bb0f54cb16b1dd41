"""The billing page's forms: choose a plan and add-ons; storage overage on or off."""

from __future__ import annotations

from django import forms

from subscriptions import catalog
from subscriptions.services import MAX_ADD_ON_QUANTITY


class PlanForm(forms.Form):
    tier = forms.ChoiceField(choices=[(t.key, t.name) for t in catalog.TIERS.values()])
    billing_cycle = forms.ChoiceField(choices=[("monthly", "Monthly"), ("annual", "Annual (save 10%)")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for add_on in catalog.ADD_ONS.values():
            self.fields[f"add_on_{add_on.key}"] = forms.IntegerField(
                label=f"{add_on.name} (per {add_on.unit}, monthly)", min_value=0, max_value=MAX_ADD_ON_QUANTITY,
                initial=0,
                required=False,
            )

    def add_ons(self) -> dict[str, int]:
        """Return the chosen add-on quantities by add-on key (after is_valid)."""
        return {key: self.cleaned_data.get(f"add_on_{key}") or 0 for key in catalog.ADD_ONS}


class StorageOverageForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("true", "On"), ("false", "Off")], coerce=lambda value: value == "true",
                                     error_messages={"required": "Say whether storage overage is on (true or false).",
                                                     "invalid_choice": "Storage overage is either true or false."})
