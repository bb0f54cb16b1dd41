"""The subscription API on a tenant host: plan, usage, upgrade, downgrade, cancel and limit checks.

Session or JWT authentication (the project default); every view reads or writes the
organisation of the host it is called on, and JWTs are bound to that organisation.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from subscriptions import catalog, selectors, services
from subscriptions.billing_provider import billing_provider
from subscriptions.gates import SubscriptionWritable
from subscriptions.limits import ACTIONS, limit_check
from subscriptions.models import Subscription
from unison.api_errors import validated


class CanManageSubscription(BasePermission):
    """Owners and admins change the plan; every member may read it."""

    message = {"code": "owner_or_admin_only", "detail": "Only owners and admins can change the subscription."}

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_configure)


class LimitsSerializer(serializers.Serializer):
    users = serializers.IntegerField(allow_null=True, help_text="null means unlimited")
    plants = serializers.IntegerField(allow_null=True)
    storage_bytes = serializers.IntegerField(allow_null=True)


class AddOnSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(catalog.ADD_ONS))
    quantity = serializers.IntegerField()
    unit_price_cents = serializers.IntegerField()


class SubscriptionSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    tier_name = serializers.CharField()
    status = serializers.CharField()
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES))
    price_cents = serializers.IntegerField()
    currency = serializers.CharField()
    read_only = serializers.BooleanField()
    trial_starts_at = serializers.DateTimeField(allow_null=True)
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    days_left_in_trial = serializers.IntegerField(allow_null=True)
    trial_converted = serializers.BooleanField()
    current_period_start = serializers.DateTimeField(allow_null=True)
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()
    access_status = serializers.CharField(help_text="what the workspace may do now: the billing status, "
                                          "'suspended' under an operator's hold, 'active' under a comp")
    pending_plan = serializers.DictField(help_text="a change Stripe makes at the end of the period: tier, "
                                         "billing_cycle, add_ons, starts_at; {} when none")
    held = serializers.BooleanField(help_text="suspended by an operator")
    hold_reason = serializers.CharField(allow_blank=True)
    comp_tier = serializers.CharField(allow_blank=True, help_text="a tier an operator gives free")
    entitled_tier = serializers.CharField(help_text="the tier whose features and limits apply now")
    failed_payment_count = serializers.IntegerField()
    features = serializers.ListField(child=serializers.CharField())
    limits = LimitsSerializer(help_text="add-ons included")
    add_ons = AddOnSerializer(many=True)
    upgrade_url = serializers.CharField()


class ResourceUsageSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)


class ViolationSerializer(serializers.Serializer):
    resource = serializers.CharField()
    used = serializers.IntegerField()
    limit = serializers.IntegerField()
    message = serializers.CharField()


class UsageSerializer(serializers.Serializer):
    users = ResourceUsageSerializer()
    plants = ResourceUsageSerializer()
    storage_bytes = ResourceUsageSerializer()
    violations = ViolationSerializer(many=True)
    measured_at = serializers.DateTimeField()
    upgrade_url = serializers.CharField()


class UpgradeSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES), required=False)


class DowngradeSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES), required=False)


class CancelSerializer(serializers.Serializer):
    at_period_end = serializers.BooleanField(default=True)


class LimitCheckQuerySerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(ACTIONS))
    bytes = serializers.IntegerField(min_value=0, required=False, help_text="the upload's size; needed for upload")

    def validate(self, attrs):
        if attrs["action"] == "upload" and "bytes" not in attrs:
            raise serializers.ValidationError({"bytes": ["Give the upload's size in bytes."]})
        return attrs


# The query string of the limit check as one form-style object, so the schema can say what the serializer
# says: ``bytes`` is needed with ``action=upload`` (query parameters one by one cannot depend on each other).
LIMIT_CHECK_QUERY = OpenApiParameter(
    name="check", location=OpenApiParameter.QUERY, required=True, style="form", explode=True,
    description="`action=add_user` or `action=add_plant`; `action=upload&bytes=N` with the upload's size.",
    type={"anyOf": [
        {"type": "object", "required": ["action"], "properties": {
            "action": {"type": "string", "enum": [action for action in ACTIONS if action != "upload"]},
            "bytes": {"type": "integer", "minimum": 0}}},
        {"type": "object", "required": ["action", "bytes"], "properties": {
            "action": {"type": "string", "enum": ["upload"]},
            "bytes": {"type": "integer", "minimum": 0, "description": "the upload's size"}}},
    ]},
)


class LimitCheckSerializer(serializers.Serializer):
    action = serializers.CharField()
    allowed = serializers.BooleanField()
    limit = serializers.IntegerField(allow_null=True)
    used = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)
    upgrade_url = serializers.CharField()


REFUSALS = {
    400: OpenApiResponse(description="Bad input: the body names each field that is wrong."),
    402: OpenApiResponse(description="Payment needed first: finish the Stripe Checkout at `checkout_url` (the "
                                     "workspace keeps its trial tier until Stripe confirms), or the card was "
                                     "declined."),
    403: OpenApiResponse(description="Not an owner or admin, or the subscription is read-only."),
    409: OpenApiResponse(description="Not allowed in the subscription's current status, or a checkout is open."),
    503: OpenApiResponse(description="Stripe cannot be reached or is misconfigured; nothing changed."),
}


class SubscriptionAPIView(APIView):
    """Base of the subscription API (refusals become JSON in ``unison.api_errors``)."""

    def overview(self) -> Response:
        return Response(SubscriptionSerializer(selectors.subscription_overview(self.request.tenant)).data)


class SubscriptionChangeView(SubscriptionAPIView):
    """Base of the writes: owners and admins only, and not while the subscription is read-only."""

    permission_classes = [IsAuthenticated, CanManageSubscription, SubscriptionWritable]

    def subscription(self):
        return selectors.subscription_for_org(self.request.tenant)

    def actor(self) -> str:
        return self.request.user.email


class SubscriptionView(SubscriptionAPIView):
    @extend_schema(responses=SubscriptionSerializer, summary="The organisation's plan, status, trial and limits")
    def get(self, request):
        return self.overview()


class UsageView(SubscriptionAPIView):
    @extend_schema(responses=UsageSerializer, summary="Users, plants and storage measured now against the limits")
    def get(self, request):
        return Response(UsageSerializer(selectors.usage_summary(request.tenant)).data)


class PlanChangeView(SubscriptionChangeView):
    """Base of upgrade and downgrade: both go the one way every plan change goes, through billing."""

    def change(self, data: dict, *, bigger: bool):
        subscription = self.subscription()
        current, chosen = subscription.plan, catalog.tier(data["tier"])
        if bigger and chosen.rank < current.rank:
            raise ValidationError({"tier": [f"{chosen.name} is smaller than {current.name}: downgrade instead."]})
        if not bigger and chosen.rank >= current.rank:
            raise ValidationError({"tier": [f"{chosen.name} is not smaller than your {current.name} plan."]})
        billing_provider().plan_change(
            organization=self.request.tenant, tier=data["tier"], billing_cycle=data.get("billing_cycle"),
            add_ons=None, actor=self.actor(), return_url=self.request.build_absolute_uri("/billing/"),
        )
        return self.overview()


class UpgradeView(PlanChangeView):
    @extend_schema(
        request=UpgradeSerializer,
        responses={200: SubscriptionSerializer, **REFUSALS},
        summary="Move to a bigger tier (or another cycle): now and prorated in Stripe; 402 with a checkout "
                "URL while no card is on file",
    )
    def post(self, request):
        return self.change(validated(UpgradeSerializer, request.data), bigger=True)


class DowngradeView(PlanChangeView):
    @extend_schema(
        request=DowngradeSerializer,
        responses={200: SubscriptionSerializer, **REFUSALS},
        summary="Move to a smaller tier at the end of the paid period, if today's usage fits it; 402 with a "
                "checkout URL while no card is on file",
    )
    def post(self, request):
        return self.change(validated(DowngradeSerializer, request.data), bigger=False)


class CancelView(SubscriptionChangeView):
    # Cancelling stays possible while suspended or cancelled: it is not a change to the workspace's data.
    permission_classes = [IsAuthenticated, CanManageSubscription]

    @extend_schema(
        request=CancelSerializer,
        responses={200: SubscriptionSerializer, **REFUSALS},
        summary="Cancel at the end of the period (a trial without a card may also end now)",
    )
    def post(self, request):
        data = validated(CancelSerializer, request.data)
        billing_provider().cancel(organization=request.tenant, actor=self.actor(),
                                  at_period_end=data["at_period_end"])
        return self.overview()


class ResumeView(SubscriptionChangeView):
    permission_classes = [IsAuthenticated, CanManageSubscription]

    @extend_schema(request=None, responses={200: SubscriptionSerializer, **REFUSALS},
                   summary="Take back a cancellation planned for the end of the period")
    def post(self, request):
        validated(EmptySerializer, request.data)
        billing_provider().resume(organization=request.tenant, actor=self.actor())
        return self.overview()


class EmptySerializer(serializers.Serializer):
    pass


class LimitCheckView(SubscriptionAPIView):
    @extend_schema(
        parameters=[LIMIT_CHECK_QUERY],
        responses={200: LimitCheckSerializer, 400: REFUSALS[400]},
        summary="Whether adding a user or plant, or uploading N bytes, fits the plan now",
    )
    def get(self, request):
        query = validated(LimitCheckQuerySerializer, request.query_params, allow_unknown=True)
        check = limit_check(request.tenant, query["action"], nbytes=query.get("bytes", 0))
        return Response(LimitCheckSerializer(check.as_dict()).data)



class TrialExtensionRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "approved", "declined"])
    days_requested = serializers.IntegerField()
    reason = serializers.CharField()
    requested_by_email = serializers.EmailField()
    created_at = serializers.DateTimeField()
    days_granted = serializers.IntegerField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField(allow_blank=True)


class TrialExtensionSerializer(serializers.Serializer):
    can_request = serializers.BooleanField(help_text="whether this user may ask now")
    unavailable_reason = serializers.CharField(allow_null=True, help_text="why not, when it may not")
    request = TrialExtensionRequestSerializer(allow_null=True, help_text="the workspace's request; null if none")


class TrialExtensionCreateSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=services.TRIAL_EXTENSION_DAYS,
                                    help_text=f"1 to {services.TRIAL_EXTENSION_DAYS}")
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH, trim_whitespace=True)


class TrialExtensionView(SubscriptionAPIView):
    """A trialing workspace's request for more trial days: one per trial, made by an owner, answered by operators."""

    def state(self, status: int = 200) -> Response:
        existing = selectors.trial_extension_for(self.request.tenant)
        refusal = services.trial_extension_refusal(Subscription.objects.filter(organization=self.request.tenant).first())
        if refusal is None and self.request.user.role != Role.OWNER:
            refusal = "Only an owner of the workspace can ask for more trial days."
        refusal = refusal or ("The workspace has asked already: once per trial." if existing else None)
        body = {"can_request": refusal is None, "unavailable_reason": refusal,
                "request": TrialExtensionRequestSerializer(existing).data if existing else None}
        return Response(TrialExtensionSerializer(body).data, status=status)

    @extend_schema(responses=TrialExtensionSerializer,
                   summary="The workspace's request for more trial days, and whether this user may make one")
    def get(self, request):
        return self.state()

    @extend_schema(
        request=TrialExtensionCreateSerializer,
        responses={201: TrialExtensionSerializer, 400: REFUSALS[400],
                   403: OpenApiResponse(description="Not an owner of the workspace."),
                   409: OpenApiResponse(description="The workspace is not in its trial.")},
        summary="Ask operators for more trial days (owners, during the trial, once): 400 naming `days` when "
                "the workspace has asked before",
    )
    def post(self, request):
        data = validated(TrialExtensionCreateSerializer, request.data)
        services.trial_extension_request_create(organization=request.tenant, user=request.user, **data)
        return self.state(status=201)
