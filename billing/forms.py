"""The billing page's forms: choose a plan and add-ons."""

from __future__ import annotations

from django import forms

from subscriptions import catalog


class PlanForm(forms.Form):
    tier = forms.ChoiceField(choices=[(t.key, t.name) for t in catalog.TIERS.values()])
    billing_cycle = forms.ChoiceField(choices=[("monthly", "Monthly"), ("annual", "Annual (save 10%)")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for add_on in catalog.ADD_ONS.values():
            self.fields[f"add_on_{add_on.key}"] = forms.IntegerField(
                label=f"{add_on.name} (per {add_on.unit}, monthly)", min_value=0, max_value=1000, initial=0,
                required=False,
            )

    def add_ons(self) -> dict[str, int]:
        """Return the chosen add-on quantities by add-on key (after is_valid)."""
        return {key: self.cleaned_data.get(f"add_on_{key}") or 0 for key in catalog.ADD_ONS}

    def add_service_errors(self, errors: dict) -> None:
        """Show a service's ValidationError on the matching field (add-on errors on the form)."""
        for field, messages in errors.items():
            self.add_error(field if field in ("tier", "billing_cycle") else None, messages)
