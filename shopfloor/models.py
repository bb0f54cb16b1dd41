"""The shop floor of one organisation (tenant schema): plants and their layout, materials, work orders, NCRs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from shopfloor import states
from unison.time_zones import time_zone_choices

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MON_TO_FRI = 0b0011111
_code = RegexValidator(r"^[A-Z0-9][A-Z0-9-]*$", "Use capital letters, digits and dashes, e.g. PLANT-1.")
# Bounds of what people type: a date a plan can mean, an address, a report's description.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2100, 12, 31)
ADDRESS_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 10_000
_date_bounds = [
    MinValueValidator(EARLIEST_DATE, "Choose a date from 1 January 2000."),
    MaxValueValidator(LATEST_DATE, "Choose a date until 31 December 2100."),
]


class Plant(models.Model):
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=20, unique=True, validators=[_code], help_text="Short code, e.g. DET-1.")
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")
    address = models.CharField(max_length=ADDRESS_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "shopfloor_plant"  # subscriptions.limits counts this table's rows
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("shopfloor:plant_detail", args=[self.pk])


class Department(models.Model):
    plant = models.ForeignKey(Plant, on_delete=models.CASCADE, related_name="departments")
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["plant_id", "id"]
        constraints = [models.UniqueConstraint(fields=["plant", "name"], name="department_name_unique_in_plant")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.plant.get_absolute_url()


class Lane(models.Model):
    plant = models.ForeignKey(Plant, on_delete=models.CASCADE, related_name="lanes")
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="lanes"
    )
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["plant_id", "name"]
        constraints = [models.UniqueConstraint(fields=["plant", "name"], name="lane_name_unique_in_plant")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.plant.get_absolute_url()

    def clean(self) -> None:
        if self.department_id and self.plant_id and self.department.plant_id != self.plant_id:
            raise ValidationError({"department": "Choose a department of the same plant."})


class Shift(models.Model):
    plant = models.ForeignKey(Plant, on_delete=models.CASCADE, related_name="shifts")
    name = models.CharField(max_length=40)
    start = models.TimeField()
    end = models.TimeField(help_text="An end before the start runs past midnight.")
    days = models.PositiveSmallIntegerField(default=MON_TO_FRI, help_text="Weekdays as bits: Monday = 1 … Sunday = 64.")

    class Meta:
        ordering = ["plant_id", "start"]
        constraints = [models.UniqueConstraint(fields=["plant", "name"], name="shift_name_unique_in_plant")]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    def get_absolute_url(self) -> str:
        return self.plant.get_absolute_url()

    @property
    def day_names(self) -> list[str]:
        """Return the names of the weekdays the shift runs on, Monday first."""
        return [name for bit, name in enumerate(WEEKDAYS) if self.days & (1 << bit)]

    def clean(self) -> None:
        errors = {}
        if self.start is not None and self.start == self.end:
            errors["end"] = "A shift must end at a different time than it starts."
        if not self.days or self.days >= 1 << 7:
            errors["days"] = "Choose at least one weekday."
        if errors:
            raise ValidationError(errors)


class Unit(models.TextChoices):
    PIECES = "pcs", "pieces"
    KILOGRAMS = "kg", "kg"
    METRES = "m", "metres"
    SQUARE_METRES = "m2", "m²"
    LITRES = "l", "litres"
    SHEETS = "sheet", "sheets"


class Material(models.Model):
    sku = models.CharField("SKU", max_length=40, unique=True)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=8, choices=Unit.choices, default=Unit.PIECES)
    quantity_on_hand = models.DecimalField(
        max_digits=12, decimal_places=3, default=0, validators=[MinValueValidator(0)]
    )
    reorder_point = models.DecimalField(
        max_digits=12, decimal_places=3, default=0, validators=[MinValueValidator(0)]
    )
    is_sample = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("shopfloor:material_detail", args=[self.pk])

    @property
    def below_reorder_point(self) -> bool:
        return self.quantity_on_hand < self.reorder_point


class WorkOrder(models.Model):
    Status = states.WorkOrderStatus

    number = models.CharField(max_length=20, unique=True, editable=False)
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="work_orders")
    quantity = models.DecimalField(max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))])
    plant = models.ForeignKey(Plant, on_delete=models.PROTECT, related_name="work_orders")
    lane = models.ForeignKey(Lane, on_delete=models.SET_NULL, null=True, blank=True, related_name="work_orders")
    due_date = models.DateField(validators=_date_bounds)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED, editable=False)
    is_sample = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_date__range=(EARLIEST_DATE, LATEST_DATE)),
                                   name="work_order_due_date_in_range"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shopfloor:work_order_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in states.WORK_ORDER_OPEN

    @property
    def next_status(self) -> str | None:
        return states.WORK_ORDER_FLOW.get(self.status)

    def clean(self) -> None:
        if self.lane_id and self.plant_id and self.lane.plant_id != self.plant_id:
            raise ValidationError({"lane": "Choose a lane of the work order's plant."})


class NCR(models.Model):
    """A non-conformance report about a work order, a material, or both."""

    Severity = states.Severity
    Disposition = states.Disposition
    Status = states.NCRStatus

    number = models.CharField(max_length=20, unique=True, editable=False)
    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="ncrs")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, null=True, blank=True, related_name="ncrs")
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH,
                                   validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])  # TextField has none
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MINOR)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, default=Disposition.PENDING)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    # An operator's e-mail when the report was made while they impersonated ``reported_by``.
    impersonated_by = models.CharField(max_length=254, blank=True, editable=False)
    is_sample = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "NCR"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_order__isnull=False) | models.Q(material__isnull=False),
                name="ncr_about_work_order_or_material",
            ),
            models.CheckConstraint(condition=LessThanOrEqual(Length("description"), DESCRIPTION_MAX_LENGTH),
                                   name="ncr_description_bounded"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shopfloor:ncr_detail", args=[self.pk])

    @property
    def next_status(self) -> str | None:
        return states.NCR_FLOW.get(self.status)

    def clean(self) -> None:
        if not self.work_order_id and not self.material_id:
            raise ValidationError({"work_order": "Choose the work order or the material this report is about."})
        if not self.description.strip():
            raise ValidationError({"description": "Describe what is wrong."})


ONBOARDING_STEPS = ("organization", "plant", "team", "sample_data", "done")


class OnboardingState(models.Model):
    """The organisation's progress through the setup wizard (a single row, pk 1)."""

    steps_done = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    sample_data_loaded = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"onboarding: {', '.join(self.steps_done) or 'not started'}"


class Invitation(models.Model):
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=[("admin", "Admin"), ("member", "Member")], default="member")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # An operator's e-mail when the invitation was sent while they impersonated ``invited_by``.
    impersonated_by = models.CharField(max_length=254, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=models.Q(accepted_at__isnull=True), name="one_pending_invitation_per_email"
            )
        ]

    def __str__(self) -> str:
        return f"invitation for {self.email}"


class InvitationSent(models.Model):
    """One invitation e-mail sent: kept when the invitation is withdrawn, so withdrawing frees no sends."""

    email = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"invitation e-mail to {self.email} at {self.sent_at:%Y-%m-%d %H:%M}"
