"""Console lists and detail pages: organisations, subscriptions, promotion codes and the audit log.

Every change goes through ``platform_admin.services`` so it is audited; nothing is deleted here.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from djstripe.models import PromotionCode
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from platform_admin import selectors, services
from platform_admin.forms import (
    ApproveTrialExtensionForm,
    ChangePlanForm,
    CompForm,
    ConfirmForm,
    CouponForm,
    DeclineTrialExtensionForm,
    DeleteNowForm,
    ExtendTrialForm,
    SuspendForm,
    TrialLengthForm,
)
from platform_admin.models import ACTIONS, AuditEntry
from platform_admin.permissions import IMPERSONATE, ORGANIZATIONS, READ, SUBSCRIPTIONS, operator_can
from platform_admin.views import action_page
from subscriptions import catalog
from subscriptions.models import Subscription, TrialExtensionRequest
from subscriptions.money import money_format
from tenants.models import Organization


class ReadOnlyMixin:
    """No adding or deleting; viewing and changing as the operator's role allows (platform_admin.permissions)."""

    change_area = ORGANIZATIONS

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return operator_can(request.user, READ)

    def has_change_permission(self, request, obj=None) -> bool:
        return operator_can(request.user, self.change_area)

    def has_organizations_permission(self, request, obj=None) -> bool:
        return operator_can(request.user, ORGANIZATIONS)

    def has_subscriptions_permission(self, request, obj=None) -> bool:
        return operator_can(request.user, SUBSCRIPTIONS)

    def has_impersonate_permission(self, request, obj=None) -> bool:
        return operator_can(request.user, IMPERSONATE)


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("name", "slug", "tier", "status", "industry", "is_active", "created_at")
    list_select_related = ("subscription",)
    search_fields = ("name", "slug", "email")
    list_filter = (
        ("subscription__tier", admin.ChoicesFieldListFilter),
        ("subscription__status", admin.ChoicesFieldListFilter),
        "industry",
        "is_active",
        ("created_at", admin.DateFieldListFilter),
    )
    fields = ("name", "email", "is_active", "slug", "schema_name", "industry", "company_size", "primary_use_case", "created_at")
    readonly_fields = ("slug", "schema_name", "industry", "company_size", "primary_use_case", "created_at")
    change_form_after_template = "platform_admin/organization_detail.html"
    actions = ("activate", "deactivate")
    actions_detail = ("impersonate", "trial_length", "delete_now")

    @display(description="Tier", ordering="subscription__tier")
    def tier(self, obj):
        return getattr(getattr(obj, "subscription", None), "tier", "—")

    @display(description="Status", ordering="subscription__status")
    def status(self, obj):
        return getattr(getattr(obj, "subscription", None), "status", "—")

    def save_model(self, request, obj, form, change):
        """Save the edited fields through the audited service."""
        services.organization_update(
            organization=obj, actor=request.user, name=obj.name, email=obj.email, is_active=obj.is_active
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id:
            organization = get_object_or_404(Organization, pk=object_id)
            extra_context = {**(extra_context or {}), **selectors.organization_detail(organization)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _set_active(self, request, queryset, active: bool) -> None:
        for organization in queryset:
            services.organization_update(organization=organization, actor=request.user, is_active=active)
        self.message_user(request, f"{queryset.count()} organisation(s) {'activated' if active else 'deactivated'}.")

    @admin.action(description="Activate selected organisations", permissions=["organizations"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description="Deactivate selected organisations", permissions=["organizations"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)

    @action(description="Impersonate a user", url_path="impersonate", icon="person_search", permissions=["impersonate"])
    def impersonate(self, request, object_id):
        return redirect(f"{reverse('admin:impersonate')}?organization={object_id}")

    @action(description="Set trial length", url_path="trial-length", icon="date_range", permissions=["subscriptions"])
    def trial_length(self, request, object_id):
        if not operator_can(request.user, SUBSCRIPTIONS):
            raise PermissionDenied
        organization = get_object_or_404(Organization, pk=object_id)
        form = TrialLengthForm(request.POST if request.method == "POST" else None)
        return action_page(
            request, site=self.admin_site, form=form, title="Set trial length", obj=organization, submit="Set length",
            apply=lambda data: services.operator_set_trial_length(organization=organization, actor=request.user,
                                                                  days=data["days"], reason=data["reason"]),
            back_url=reverse("admin:tenants_organization_change", args=[organization.pk]),
        )


    @action(description="Delete now (legal request)", url_path="delete-now", icon="delete_forever",
            permissions=["organizations"])
    def delete_now(self, request, object_id):
        from deletion.services import deletion_purge_now

        if not operator_can(request.user, ORGANIZATIONS):
            raise PermissionDenied
        organization = get_object_or_404(Organization, pk=object_id)
        form = DeleteNowForm(request.POST if request.method == "POST" else None, organization=organization)
        return action_page(
            request, site=self.admin_site, form=form, title="Delete now (legal request)", obj=organization,
            submit="Delete everything now",
            apply=lambda data: deletion_purge_now(organization=organization, actor=request.user, reason=data["reason"]),
            back_url=reverse("admin:tenants_organization_change", args=[organization.pk]),
        )


class _YesNoFilter(admin.SimpleListFilter):
    lookup: dict

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(**self.lookup)
        if self.value() == "no":
            return queryset.filter(**self.lookup)
        return queryset


class HoldFilter(_YesNoFilter):
    title, parameter_name, lookup = "suspended by an operator", "held", {"held_at__isnull": True}


class CompFilter(_YesNoFilter):
    title, parameter_name, lookup = "given free (comp)", "comped", {"comp_tier": ""}


class DuplicateStripeFilter(_YesNoFilter):
    title, parameter_name, lookup = "extra Stripe subscriptions", "duplicates", {"extra_stripe_subscription_ids": []}


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("organization", "tier", "status", "billing_cycle", "mrr", "access", "trial_ends_at",
                    "current_period_end")
    list_select_related = ("organization",)
    list_filter = ("tier", "status", "billing_cycle", HoldFilter, CompFilter, DuplicateStripeFilter)
    search_fields = ("organization__name", "organization__slug")
    actions_detail = ("extend_trial", "suspend", "reactivate", "change_plan", "comp", "end_comp")
    actions_row = ("extend_trial", "suspend", "reactivate")

    @display(description="MRR", ordering="mrr_cents")
    def mrr(self, obj):
        return money_format(obj.mrr_cents)  # normalised to USD

    @display(description="Access")
    def access(self, obj):
        notes = []
        if obj.held_at:
            notes.append("suspended by an operator")
        if obj.comp_tier:
            notes.append(f"{obj.comp_tier} free (comp)")
        if obj.extra_stripe_subscription_ids:
            notes.append(f"{len(obj.extra_stripe_subscription_ids)} extra Stripe subscription(s): check Stripe")
        return "; ".join(notes) or "as billed"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def _page(self, request, object_id, form_class, title, submit, apply):
        subscription = get_object_or_404(Subscription.objects.select_related("organization"), pk=object_id)
        form = form_class(request.POST if request.method == "POST" else None)
        back = reverse("admin:subscriptions_subscription_change", args=[subscription.pk])
        return action_page(
            request, site=self.admin_site, form=form, title=title, obj=subscription, submit=submit,
            apply=lambda data: apply(subscription, data), back_url=back,
        )

    @action(permissions=["subscriptions"], description="Extend trial", url_path="extend-trial", icon="event_upcoming")
    def extend_trial(self, request, object_id):
        return self._page(
            request, object_id, ExtendTrialForm, "Extend trial", "Extend",
            lambda s, data: services.operator_extend_trial(subscription=s, actor=request.user, days=data["days"]),
        )

    @action(permissions=["subscriptions"], description="Suspend", url_path="suspend", icon="block")
    def suspend(self, request, object_id):
        return self._page(
            request, object_id, SuspendForm, "Suspend", "Suspend",
            lambda s, data: services.operator_suspend(subscription=s, actor=request.user, reason=data["reason"]),
        )

    @action(permissions=["subscriptions"], description="Lift suspension", url_path="reactivate", icon="play_circle")
    def reactivate(self, request, object_id):
        return self._page(
            request, object_id, ConfirmForm, "Lift the operator's suspension", "Lift suspension",
            lambda s, data: services.operator_reactivate(subscription=s, actor=request.user),
        )

    @action(permissions=["subscriptions"], description="Change plan", url_path="change-plan", icon="swap_vert")
    def change_plan(self, request, object_id):
        return self._page(
            request, object_id, ChangePlanForm, "Change plan (through Stripe)", "Change plan",
            lambda s, data: services.operator_change_plan(
                subscription=s, actor=request.user, tier=data["tier"], billing_cycle=data["billing_cycle"],
                add_ons={k.removeprefix("add_on_"): v or 0 for k, v in data.items() if k.startswith("add_on_")}),
        )

    @action(permissions=["subscriptions"], description="Give a plan free (comp)", url_path="comp", icon="redeem")
    def comp(self, request, object_id):
        return self._page(
            request, object_id, CompForm, "Give a plan free (comp)", "Give free",
            lambda s, data: services.operator_comp(subscription=s, actor=request.user, tier=data["tier"],
                                                   reason=data["reason"]),
        )

    @action(permissions=["subscriptions"], description="End the free plan", url_path="end-comp", icon="money_off")
    def end_comp(self, request, object_id):
        return self._page(
            request, object_id, ConfirmForm, "End the free plan", "End free plan",
            lambda s, data: services.operator_end_comp(subscription=s, actor=request.user),
        )


@admin.register(TrialExtensionRequest)
class TrialExtensionRequestAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("organization", "days_requested", "reason", "status", "requested_by_email", "created_at",
                    "decided_by")
    list_select_related = ("organization",)
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    search_fields = ("organization__name", "organization__slug", "requested_by_email")
    actions_detail = ("approve", "decline")
    actions_row = ("approve", "decline")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def _page(self, request, object_id, form, title, submit, apply):
        if not operator_can(request.user, SUBSCRIPTIONS):  # approving extends a trial: a subscription action
            raise PermissionDenied
        extension = get_object_or_404(TrialExtensionRequest.objects.select_related("organization"), pk=object_id)
        form = form(request.POST if request.method == "POST" else None, initial={"days": extension.days_requested})
        return action_page(request, site=self.admin_site, form=form, title=title, obj=extension, submit=submit,
                           apply=lambda data: apply(extension, data),
                           back_url=reverse("admin:subscriptions_trialextensionrequest_changelist"))

    @action(description="Approve", url_path="approve", icon="event_available", permissions=["subscriptions"])
    def approve(self, request, object_id):
        return self._page(request, object_id, ApproveTrialExtensionForm, "Approve: extend the trial", "Approve",
                          lambda e, data: services.operator_trial_extension_approve(extension=e, actor=request.user,
                                                                                    days=data["days"]))

    @action(description="Decline", url_path="decline", icon="event_busy", permissions=["subscriptions"])
    def decline(self, request, object_id):
        return self._page(request, object_id, DeclineTrialExtensionForm, "Decline the request", "Decline",
                          lambda e, data: services.operator_trial_extension_decline(extension=e, actor=request.user,
                                                                                    note=data["note"]))


class AuditActionFilter(admin.SimpleListFilter):
    title, parameter_name = "action", "action"

    def lookups(self, request, model_admin):
        return list(ACTIONS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ("created_at", "actor_email", "action_in_words", "target_type", "target_label", "organization_id")
    list_filter = (AuditActionFilter, "target_type", ("created_at", admin.DateFieldListFilter))
    search_fields = ("actor_email", "target_label", "target_id")
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @display(description="Action", ordering="action")
    def action_in_words(self, obj):
        return obj.action_label


try:  # dj-stripe lists every promotion code read-only; the console's list makes them, through Stripe
    admin.site.unregister(PromotionCode)
except admin.sites.NotRegistered:
    pass


@admin.register(PromotionCode)
class PromotionCodeAdmin(ReadOnlyMixin, ModelAdmin):
    """Coupons and their promotion codes, mirrored from Stripe; finance and owners add them (in Stripe first)."""

    list_display = ("id", "code", "terms", "redeemed", "active", "created")
    search_fields = ("id",)
    change_area = SUBSCRIPTIONS

    @display(description="Code")
    def code(self, obj):
        return obj.stripe_data.get("code", "")

    @display(description="Discount")
    def terms(self, obj):
        return catalog.coupon_terms(obj.stripe_data.get("coupon") or {})

    @display(description="Redeemed")
    def redeemed(self, obj):
        limit = obj.stripe_data.get("max_redemptions")
        return f"{obj.stripe_data.get('times_redeemed', 0)}{f' of {limit}' if limit else ''}"

    @display(description="Active", boolean=True)
    def active(self, obj):
        return obj.stripe_data.get("active", False)

    def has_add_permission(self, request, obj=None) -> bool:
        return operator_can(request.user, SUBSCRIPTIONS)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied("Only finance and owner operators create coupons.")
        form = CouponForm(request.POST if request.method == "POST" else None)
        return action_page(
            request, site=self.admin_site, form=form, title="New coupon and promotion code", obj=PromotionCode(),
            submit="Create in Stripe", back_url=reverse("admin:djstripe_promotioncode_changelist"),
            apply=lambda data: services.operator_coupon_create(actor=request.user, **form.coupon()),
        )
