"""The subscription API on a tenant host: plan, usage, upgrade, downgrade, cancel and limit checks.

Session or JWT authentication (the project default); every view reads or writes the
organisation of the host it is called on, and JWTs are bound to that organisation.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from subscriptions import catalog, selectors, services
from subscriptions.gates import SubscriptionWritable
from subscriptions.limits import ACTIONS, limit_check
from subscriptions.models import Subscription
from subscriptions.states import IllegalTransition
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
    pending_tier = serializers.CharField(allow_blank=True, help_text="a downgrade waiting for the period end")
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


class CancelSerializer(serializers.Serializer):
    at_period_end = serializers.BooleanField(default=True)


class LimitCheckQuerySerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(ACTIONS))
    bytes = serializers.IntegerField(min_value=0, required=False, help_text="the upload's size; needed for upload")

    def validate(self, attrs):
        if attrs["action"] == "upload" and "bytes" not in attrs:
            raise serializers.ValidationError({"bytes": ["Give the upload's size in bytes."]})
        return attrs


class LimitCheckSerializer(serializers.Serializer):
    action = serializers.CharField()
    allowed = serializers.BooleanField()
    limit = serializers.IntegerField(allow_null=True)
    used = serializers.IntegerField()
    message = serializers.CharField(allow_blank=True)
    upgrade_url = serializers.CharField()


REFUSALS = {
    400: OpenApiResponse(description="Bad input: the body names each field that is wrong."),
    403: OpenApiResponse(description="Not an owner or admin, or the subscription is read-only."),
    409: OpenApiResponse(description="Not allowed in the subscription's current status."),
}


class SubscriptionAPIView(APIView):
    """Base of the subscription API: refusals of the state machine and of billing become JSON, not 500s."""

    def overview(self) -> Response:
        return Response(SubscriptionSerializer(selectors.subscription_overview(self.request.tenant)).data)

    def handle_exception(self, exc):
        if isinstance(exc, Subscription.DoesNotExist):
            body = {"code": "no_subscription", "detail": "This workspace has no subscription."}
            return Response(body, status=status.HTTP_404_NOT_FOUND)
        if isinstance(exc, IllegalTransition):
            return Response({"code": "illegal_transition", "status": [str(exc)]}, status=status.HTTP_409_CONFLICT)
        if isinstance(exc, services.BillingRefused):
            unavailable = exc.code == "billing_unavailable"
            code = status.HTTP_503_SERVICE_UNAVAILABLE if unavailable else status.HTTP_400_BAD_REQUEST
            return Response({"code": exc.code, "detail": exc.detail}, status=code)
        return super().handle_exception(exc)


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


class UpgradeView(SubscriptionChangeView):
    @extend_schema(
        request=UpgradeSerializer,
        responses={200: SubscriptionSerializer, **REFUSALS},
        summary="Move to a bigger tier now (prorated in Stripe when paid; during a trial, the plan to buy)",
    )
    def post(self, request):
        data = validated(UpgradeSerializer, request.data)
        subscription = self.subscription()
        services.subscription_change_tier(
            subscription=subscription,
            tier=data["tier"],
            billing_cycle=data.get("billing_cycle", subscription.billing_cycle),
            actor=self.actor(),
        )
        return self.overview()


class DowngradeView(SubscriptionChangeView):
    @extend_schema(
        request=DowngradeSerializer,
        responses={200: SubscriptionSerializer, **REFUSALS},
        summary="Move to a smaller tier at the end of the period, if today's usage fits it",
    )
    def post(self, request):
        data = validated(DowngradeSerializer, request.data)
        services.subscription_schedule_downgrade(
            subscription=self.subscription(), tier=data["tier"], actor=self.actor()
        )
        return self.overview()


class CancelView(SubscriptionChangeView):
    # Cancelling stays possible while suspended or cancelled: it is not a change to the workspace's data.
    permission_classes = [IsAuthenticated, CanManageSubscription]

    @extend_schema(
        request=CancelSerializer,
        responses={200: SubscriptionSerializer, **REFUSALS},
        summary="Cancel at the end of the period (a trial may also end now)",
    )
    def post(self, request):
        data = validated(CancelSerializer, request.data)
        services.subscription_cancel_by_customer(
            subscription=self.subscription(), actor=self.actor(), at_period_end=data["at_period_end"]
        )
        return self.overview()


class LimitCheckView(SubscriptionAPIView):
    @extend_schema(
        parameters=[LimitCheckQuerySerializer],
        responses={200: LimitCheckSerializer, 400: REFUSALS[400]},
        summary="Whether adding a user or plant, or uploading N bytes, fits the plan now",
    )
    def get(self, request):
        query = validated(LimitCheckQuerySerializer, request.query_params)
        check = limit_check(request.tenant, query["action"], nbytes=query.get("bytes", 0))
        return Response(LimitCheckSerializer(check.as_dict()).data)

