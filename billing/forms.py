"""The billing page's forms: choose a plan and add-ons; storage overage on or off; billing address and tax ID."""

from __future__ import annotations

from django import forms

from billing.tax_ids import COUNTRIES, tax_id_problem
from subscriptions import catalog
from subscriptions.services import MAX_ADD_ON_QUANTITY

MONTHLY_ONLY = "Add-ons are billed monthly: choose the monthly cycle to add them."


class PlanForm(forms.Form):
    tier = forms.ChoiceField(choices=[(t.key, t.name) for t in catalog.TIERS.values()])
    billing_cycle = forms.ChoiceField(choices=[("monthly", "Monthly"), ("annual", "Annual (save 10%)")])
    promotion_code = forms.CharField(label="Promotion code", required=False, max_length=40, strip=True,
                                     help_text="optional; Stripe takes the discount off your invoices",
                                     widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                                   "autocapitalize": "characters"}))

    def __init__(self, *args, currency: str = catalog.CURRENCY, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency  # the workspace's: the prices shown beside each add-on
        for add_on in catalog.ADD_ONS.values():
            field = self.fields[f"add_on_{add_on.key}"] = forms.IntegerField(
                label=add_on.name, min_value=0, max_value=MAX_ADD_ON_QUANTITY, initial=0, required=False,
                help_text=f"per {add_on.unit}, monthly",
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "stepper-input",
                                                "data-unit-cents": add_on.cents_per_unit(currency)}),
            )
            field.unit_cents = add_on.cents_per_unit(currency)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("billing_cycle") == "annual":
            for key in catalog.ADD_ONS:
                if cleaned.get(f"add_on_{key}"):
                    self.add_error(f"add_on_{key}", MONTHLY_ONLY)
        return cleaned

    def add_ons(self) -> dict[str, int]:
        """Return the chosen add-on quantities by add-on key (after is_valid)."""
        return {key: self.cleaned_data.get(f"add_on_{key}") or 0 for key in catalog.ADD_ONS}

    def add_on_fields(self) -> list[tuple[catalog.AddOn, forms.BoundField]]:
        """Return each add-on with its bound field (the typed value kept after an error); the first one in
        error gets the focus when the page loads, so a screen reader reads its label and error at once."""
        invalid = [key for key in catalog.ADD_ONS if f"add_on_{key}" in self.errors]
        if invalid:
            self.fields[f"add_on_{invalid[0]}"].widget.attrs["autofocus"] = True
        return [(add_on, self[f"add_on_{add_on.key}"]) for add_on in catalog.ADD_ONS.values()]

class StorageOverageForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("true", "On"), ("false", "Off")], coerce=lambda value: value == "true",
                                     error_messages={"required": "Say whether storage overage is on (true or false).",
                                                     "invalid_choice": "Storage overage is either true or false."})


class TaxDetailsForm(forms.Form):
    """The billing address and tax ID Stripe Tax bills by (checked again by ``billing.services.tax``)."""

    country = forms.ChoiceField(choices=[("", "Choose…"), *COUNTRIES.items()])
    line1 = forms.CharField(label="Address", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    city = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    postal_code = forms.CharField(label="Postal code", max_length=200,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    tax_id = forms.CharField(label="Tax ID", max_length=40, required=False,
                             help_text="India: your GSTIN (like 27AAPFU0939F1ZV). EU: your VAT number (like "
                                       "DE123456789); tax is then reverse-charged. Leave it empty if you have none.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("country") and cleaned.get("tax_id"):
            problem = tax_id_problem(cleaned["country"], cleaned["tax_id"])
            if problem:
                self.add_error("tax_id", problem)
        return cleaned
