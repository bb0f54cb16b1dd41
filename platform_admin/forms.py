"""Forms of the console's action pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminIntegerFieldWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from platform_admin.services import IMPERSONATION_MINUTES
from subscriptions import catalog
from subscriptions.services import (
    MAX_ADD_ON_QUANTITY,
    MAX_TRIAL_EXTENSION_DAYS,
    REASON_MAX_LENGTH,
    TRIAL_EXTENSION_DAYS,
)
from tenants.models import Organization


class ExtendTrialForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_TRIAL_EXTENSION_DAYS,
        initial=7,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text="Days added to the trial; a lapsed trial reopens from today.",
    )


class ApproveTrialExtensionForm(forms.Form):
    days = forms.IntegerField(
        min_value=1, max_value=TRIAL_EXTENSION_DAYS, widget=UnfoldAdminIntegerFieldWidget,
        help_text=f"Days added to the trial, 1 to {TRIAL_EXTENSION_DAYS}: the days asked for, or fewer or more. "
                  "In Stripe when Stripe runs the trial. The owners are told by e-mail.",
    )


class DeclineTrialExtensionForm(forms.Form):
    note = forms.CharField(
        required=False, max_length=REASON_MAX_LENGTH, widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="Optional: sent to the owners with the answer, and kept in the audit log.",
    )


class SuspendForm(forms.Form):
    reason = forms.CharField(
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
        help_text="Shown in the audit log and kept with the subscription.",
    )


class CompForm(forms.Form):
    tier = forms.ChoiceField(choices=[(t.key, t.name) for t in catalog.TIERS.values()],
                             widget=UnfoldAdminSelectWidget, help_text="Given free: counted as 0 MRR.")
    reason = forms.CharField(widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
                             help_text="Why it is free (a partner, a pilot, a goodwill gesture): audited.")


class ChangePlanForm(forms.Form):
    tier = forms.ChoiceField(choices=[(t.key, t.name) for t in catalog.TIERS.values()],
                             widget=UnfoldAdminSelectWidget)
    billing_cycle = forms.ChoiceField(choices=[(c, c.title()) for c in catalog.BILLING_CYCLES],
                                      widget=UnfoldAdminSelectWidget,
                                      help_text="Upgrades apply now, prorated; the rest at the end of the period.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for add_on in catalog.ADD_ONS.values():
            self.fields[f"add_on_{add_on.key}"] = forms.IntegerField(
                label=f"{add_on.name}s", min_value=0, max_value=MAX_ADD_ON_QUANTITY, initial=0,
                widget=UnfoldAdminIntegerFieldWidget)

    def add_ons(self) -> dict[str, int]:
        return {key: self.cleaned_data.get(f"add_on_{key}") or 0 for key in catalog.ADD_ONS}


class ConfirmForm(forms.Form):
    """An action page with nothing to fill in: the button confirms."""


class ImpersonationForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.filter(is_active=True).order_by("name"), widget=UnfoldAdminSelectWidget
    )
    user = forms.TypedChoiceField(coerce=int, choices=(), widget=UnfoldAdminSelectWidget)
    minutes = forms.IntegerField(
        min_value=IMPERSONATION_MINUTES[0],
        max_value=IMPERSONATION_MINUTES[1],
        initial=30,
        widget=UnfoldAdminIntegerFieldWidget,
        help_text="How long the session lasts: 5 to 240 minutes.",
    )
    reason = forms.CharField(widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}), help_text="Recorded in the audit log.")

    def __init__(self, *args, organization: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Choose the organisation first")]
        if organization is not None:
            with schema_context(organization.schema_name):
                users = get_user_model().objects.filter(is_active=True).order_by("email")
                self.fields["user"].choices = [("", "---------")] + [
                    (u.pk, f"{u.email} ({u.get_role_display()})") for u in users
                ]


class DeleteNowForm(forms.Form):
    """Delete a workspace at once, for a legal request: the operator types its address to confirm."""

    reason = forms.CharField(max_length=REASON_MAX_LENGTH, widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
                             help_text="The legal request (reference, who asked): audited.")
    confirm_slug = forms.CharField(max_length=40, label="Type the workspace's address (slug) to confirm",
                                   widget=UnfoldAdminTextInputWidget)

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_confirm_slug(self) -> str:
        slug = self.cleaned_data["confirm_slug"].strip()
        if slug != self.organization.slug:
            raise forms.ValidationError(f"Type “{self.organization.slug}” exactly: this cannot be undone.")
        return slug


class TrialLengthForm(forms.Form):
    days = forms.IntegerField(
        min_value=1, max_value=catalog.MAX_TRIAL_DAYS, initial=30, widget=UnfoldAdminIntegerFieldWidget,
        help_text="The whole trial, counted from its start (in Stripe too when the customer has checked out).")
    reason = forms.CharField(widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
                             help_text="The deal (e.g. an Enterprise evaluation): audited.")


class CouponForm(forms.Form):
    """A coupon and the promotion code customers type; made in Stripe (``operator_coupon_create``)."""

    code = forms.CharField(max_length=40, widget=UnfoldAdminTextInputWidget,
                           help_text="What customers type at checkout or on the billing page (kept upper-case).")
    name = forms.CharField(max_length=40, required=False, widget=UnfoldAdminTextInputWidget,
                           help_text="Shown on invoices; the code when left empty.")
    percent_off = forms.DecimalField(required=False, min_value=0, max_value=100, decimal_places=2,
                                     widget=UnfoldAdminDecimalFieldWidget, help_text="Either this …")
    amount_off = forms.DecimalField(required=False, min_value=0, decimal_places=2, label="Amount off (USD)",
                                    widget=UnfoldAdminDecimalFieldWidget, help_text="… or this, per invoice.")
    duration = forms.ChoiceField(choices=[("once", "Once (the first invoice)"), ("repeating", "Repeating"),
                                          ("forever", "Forever")], widget=UnfoldAdminSelectWidget)
    duration_in_months = forms.IntegerField(required=False, min_value=1, widget=UnfoldAdminIntegerFieldWidget,
                                            help_text="For a repeating coupon only.")
    tiers = forms.MultipleChoiceField(choices=[(t.key, t.name) for t in catalog.TIERS.values()], required=False,
                                      widget=forms.CheckboxSelectMultiple, label="Plans",
                                      help_text="None ticked: every plan.")
    redeem_by = forms.DateField(required=False, widget=UnfoldAdminSingleDateWidget,
                                help_text="Last day it can be redeemed (to the end of that day, UTC).")
    max_redemptions = forms.IntegerField(required=False, min_value=1, widget=UnfoldAdminIntegerFieldWidget,
                                         help_text="Empty: no limit.")

    def coupon(self) -> dict:
        """Return the cleaned data as ``operator_coupon_create``'s arguments (cents, an end-of-day instant)."""
        data = self.cleaned_data
        redeem_by = data.get("redeem_by")
        return {
            "code": data["code"], "name": data.get("name") or "", "duration": data["duration"],
            "percent_off": float(data["percent_off"]) if data.get("percent_off") is not None else None,
            "amount_off_cents": int(data["amount_off"] * 100) if data.get("amount_off") is not None else None,
            "duration_in_months": data.get("duration_in_months"), "tiers": data.get("tiers") or [],
            "redeem_by": datetime.combine(redeem_by, time(23, 59, 59), tzinfo=UTC) if redeem_by else None,
            "max_redemptions": data.get("max_redemptions"),
        }
