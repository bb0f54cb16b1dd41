"""Forms of the shop-floor pages. They parse input; services make the change."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from shopfloor import states
from shopfloor.models import MON_TO_FRI, NCR, WEEKDAYS, Department, Lane, Material, Plant, Shift, Unit, WorkOrder
from tenants.models import CompanySize, CostingMethod, Industry, UseCase
from unison import time_zones

COSTING_HELP = {
    CostingMethod.FIFO: "First in, first out: stock is issued at the cost of the oldest receipts.",
    CostingMethod.LIFO: "Last in, first out: stock is issued at the cost of the newest receipts.",
    CostingMethod.WEIGHTED_AVERAGE: "Every unit carries the average cost of all units on hand.",
}


class OrganizationProfileForm(forms.Form):
    industry = forms.ChoiceField(choices=[("", "Choose your industry")] + Industry.choices)
    company_size = forms.ChoiceField(choices=CompanySize.choices, widget=forms.RadioSelect, label="Company size")
    primary_use_case = forms.ChoiceField(choices=UseCase.choices, widget=forms.RadioSelect, label="Primary use case")
    costing_method = forms.ChoiceField(
        choices=[(value, f"{label} — {COSTING_HELP[value]}") for value, label in CostingMethod.choices],
        widget=forms.RadioSelect,
        label="Inventory costing method",
    )


class TimeZoneField(forms.ChoiceField):
    """The canonical zones, grouped by region; an old name is refused with the name to use instead."""

    def __init__(self, **kwargs):
        super().__init__(choices=time_zones.time_zone_choices, **kwargs)

    def validate(self, value):
        if value and (message := time_zones.refusal(value)):
            raise ValidationError(message, code="invalid_choice")
        super().validate(value)


class PlantForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Time zone", help_text="Times at this plant are shown in its zone.")

    class Meta:
        model = Plant
        fields = ["name", "code", "time_zone", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name"]


class LaneForm(forms.ModelForm):
    class Meta:
        model = Lane
        fields = ["name", "department"]

    def __init__(self, *args, plant: Plant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plant = plant
        self.fields["department"].queryset = plant.departments.all()


class ShiftForm(forms.ModelForm):
    days = forms.TypedMultipleChoiceField(
        choices=[(1 << bit, name) for bit, name in enumerate(WEEKDAYS)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Shift
        fields = ["name", "start", "end", "days"]
        widgets = {"start": forms.TimeInput(attrs={"type": "time"}), "end": forms.TimeInput(attrs={"type": "time"})}

    def __init__(self, *args, plant: Plant, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.plant = plant
        days = self.instance.days if self.instance.pk else MON_TO_FRI
        self.initial.setdefault("days", [1 << bit for bit in range(7) if days & (1 << bit)])

    def clean_days(self) -> int:
        return sum(self.cleaned_data["days"])


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["sku", "name", "unit", "quantity_on_hand", "reorder_point"]


class MaterialAdjustForm(forms.Form):
    quantity_on_hand = forms.DecimalField(max_digits=12, decimal_places=3, label="Quantity counted")


class WorkOrderForm(forms.ModelForm):
    class Meta:
        model = WorkOrder
        fields = ["material", "quantity", "plant", "lane", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}


class NCRQuickForm(forms.ModelForm):
    """Four fields, sensible defaults: an NCR in well under 30 seconds."""

    class Meta:
        model = NCR
        fields = ["work_order", "material", "severity", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3, "placeholder": "What is wrong, where, how many?"}),
            "severity": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_order"].queryset = WorkOrder.objects.exclude(status=states.WorkOrderStatus.CLOSED)
        self.fields["work_order"].help_text = "Or leave empty and choose a material."


class NCRForm(NCRQuickForm):
    class Meta(NCRQuickForm.Meta):
        fields = ["work_order", "material", "severity", "disposition", "description"]


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="E-mail addresses",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ana@example.com, li@example.com"}),
        help_text="Separate addresses with commas or new lines.",
    )
    role = forms.ChoiceField(choices=[("member", "Member — operates"), ("admin", "Admin — also configures")])


class SampleDataForm(forms.Form):
    load = forms.BooleanField(
        required=False, initial=True, label="Load sample materials, work orders and NCRs to explore with"
    )


class InvitationAcceptForm(forms.Form):
    full_name = forms.CharField(max_length=150, label="Your name")
    password = forms.CharField(widget=forms.PasswordInput, label="Choose a password", max_length=128)


UNIT_CHOICES = [("", "Any unit")] + Unit.choices
SEARCH_MAX_LENGTH = 200


class MaterialFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=SEARCH_MAX_LENGTH)
    unit = forms.ChoiceField(required=False, choices=UNIT_CHOICES)
    low = forms.BooleanField(required=False, label="Under reorder point")


class WorkOrderFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=SEARCH_MAX_LENGTH)
    status = forms.ChoiceField(required=False, choices=[("", "Any status")] + states.WorkOrderStatus.choices)
    plant = forms.ModelChoiceField(required=False, queryset=Plant.objects.all(), empty_label="Any plant")


class NCRFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=SEARCH_MAX_LENGTH)
    status = forms.ChoiceField(required=False, choices=[("", "Any status")] + states.NCRStatus.choices)
    severity = forms.ChoiceField(required=False, choices=[("", "Any severity")] + states.Severity.choices)


class PlantFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=SEARCH_MAX_LENGTH)
