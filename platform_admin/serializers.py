"""Shapes of the admin API: query filters in, organisations, subscriptions, trial extension requests and audit
entries out."""

from __future__ import annotations

from rest_framework import serializers

from platform_admin.metrics import PERIODS, USAGE_METRICS
from platform_admin.models import AuditEntry
from subscriptions import catalog
from subscriptions.models import Status, Subscription, TrialExtensionRequest, UsageSnapshot
from subscriptions.services import REASON_MAX_LENGTH, TRIAL_EXTENSION_DAYS
from tenants.models import Industry, Organization


class SubscriptionSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id", "organization", "organization_name", "tier", "status", "billing_cycle", "trial_starts_at",
            "trial_ends_at", "trial_converted", "converted_at", "current_period_start", "current_period_end",
            "cancel_at_period_end", "cancelled_at", "pending_plan", "failed_payment_count", "suspended_at",
            "suspension_reason", "held_at", "hold_reason", "comp_tier", "comp_reason", "comped_at", "mrr_cents",
            "stripe_customer_id", "stripe_subscription_id", "extra_stripe_subscription_ids", "created_at",
        ]


class CompSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    reason = serializers.CharField(max_length=2000)


class ChangePlanSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES), required=False)
    add_ons = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)


class SubscriptionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Subscription
        fields = ["id", "tier", "status", "billing_cycle", "trial_ends_at", "current_period_end"]


class OrganizationSerializer(serializers.ModelSerializer):
    subscription = SubscriptionSummarySerializer(read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "slug", "email", "industry", "company_size", "primary_use_case", "is_active",
            "created_at", "subscription",
        ]


class UsageSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = UsageSnapshot
        fields = ["users", "plants", "storage_bytes", "measured_at"]


class OrganizationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=120)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    is_active = serializers.BooleanField(required=False)


class OrganizationFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=list(catalog.TIERS), required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Status.values, required=False, allow_blank=True, default="")
    industry = serializers.ChoiceField(choices=Industry.values, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
    created_after = serializers.DateField(required=False, default=None)
    created_before = serializers.DateField(required=False, default=None)


class SubscriptionFilterSerializer(serializers.Serializer):
    search = serializers.CharField(required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=list(catalog.TIERS), required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=Status.values, required=False, allow_blank=True, default="")


class ExtendTrialSerializer(serializers.Serializer):
    days = serializers.IntegerField()


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class GrowthQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=list(PERIODS), default="30d")


class TopOrganizationsQuerySerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=list(USAGE_METRICS))
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class ViolationsQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=500, default=100)


class UsageRowSerializer(serializers.Serializer):
    """A latest snapshot with the organisation and its limits (None means unlimited)."""

    organization_id = serializers.IntegerField()
    organization_name = serializers.CharField(source="organization.name")
    tier = serializers.CharField(source="organization.subscription.tier", default=None)
    users = serializers.IntegerField()
    plants = serializers.IntegerField()
    storage_bytes = serializers.IntegerField()
    user_limit = serializers.IntegerField(allow_null=True)
    plant_limit = serializers.IntegerField(allow_null=True)
    storage_limit = serializers.IntegerField(allow_null=True)
    measured_at = serializers.DateTimeField()


class ImpersonateSerializer(serializers.Serializer):
    organization_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    minutes = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)


class AuditFilterSerializer(serializers.Serializer):
    action = serializers.CharField(required=False, allow_blank=True, default="")
    actor = serializers.CharField(required=False, allow_blank=True, default="")
    organization_id = serializers.IntegerField(required=False, default=None)
    target_type = serializers.CharField(required=False, allow_blank=True, default="")


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id", "actor_id", "actor_email", "action", "target_type", "target_id", "target_label",
            "organization_id", "details", "created_at",
        ]


class TrialExtensionRequestSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = TrialExtensionRequest
        fields = ["id", "organization", "organization_name", "status", "days_requested", "reason",
                  "requested_by_email", "trial_ends_at", "created_at", "days_granted", "decided_by", "decided_at",
                  "decision_note"]


class TrialExtensionFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TrialExtensionRequest.Decision.values, required=False, default="")
    organization_id = serializers.IntegerField(required=False, default=None)


class TrialExtensionApproveSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=TRIAL_EXTENSION_DAYS, required=False, default=None,
                                    help_text=f"days to add, 1 to {TRIAL_EXTENSION_DAYS}; the days asked for if "
                                              "left out")


class TrialExtensionDeclineSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="",
                                 help_text="sent to the owners with the answer")
