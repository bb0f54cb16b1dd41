"""The admin API (public host, /api/v1/admin/): the console's reads and actions for operators.

Session or JWT (``auth/token`` here, bound to the public schema, issued for a password and a
two-factor code). Each view names the area of the console it belongs to; an operator whose role does
not cover it gets a 403 (``platform_admin.permissions``). Every write goes through
``platform_admin.services`` and is audited. Bad input answers 400 naming the field.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import TokenObtainView
from platform_admin import metrics, selectors, services
from platform_admin import serializers as s
from platform_admin.permissions import IMPERSONATE, METRICS, ORGANIZATIONS, SUBSCRIPTIONS, ConsoleArea
from subscriptions.models import Subscription, TrialExtensionRequest
from tenants.models import Organization
from unison.api_errors import validated
from unison.errors import ApplicationError


class OperatorView(APIView):
    permission_classes = [ConsoleArea]
    area = "read"

    def query(self, serializer_class) -> dict:
        """Return the validated query parameters; a bad one raises a 400 that names it."""
        # Others may ride along in a query string (the paginator's page).
        return validated(serializer_class, self.request.query_params, allow_unknown=True)

    def body(self, serializer_class) -> dict:
        """Return the validated body; a bad or unknown field raises a 400 that names it."""
        return validated(serializer_class, self.request.data)


class OperatorTokenView(TokenObtainView):
    """Exchange an operator's e-mail, password and two-factor ``code`` for JWTs valid on the public host only."""


@extend_schema(parameters=[s.OrganizationFilterSerializer])
class OrganizationListView(OperatorView, generics.ListAPIView):
    """List organisations, newest first: search name, slug or e-mail; filter by tier, status, industry,
    active flag and creation dates."""

    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return selectors.organization_list(**self.query(s.OrganizationFilterSerializer))


class OrganizationDetailView(OperatorView):
    areas = {"PATCH": ORGANIZATIONS}

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        """Return one organisation with its users, usage history, limit violations and subscription events."""
        organization = get_object_or_404(Organization.objects.select_related("subscription"), pk=pk)
        detail = selectors.organization_detail(organization)
        return Response(
            {
                **s.OrganizationSerializer(organization).data,
                "users": [
                    {"id": u.pk, "email": u.email, "full_name": u.full_name, "role": u.role, "is_active": u.is_active}
                    for u in detail["users"]
                ],
                "usage_history": s.UsageSnapshotSerializer(detail["usage_history"], many=True).data,
                "violations": [v.__dict__ for v in detail["violations"]],
                "events": [
                    {"transition": e.transition, "from": e.from_status, "to": e.to_status, "actor": e.actor,
                     "tier": e.tier, "billing_cycle": e.billing_cycle, "at": e.created_at}
                    for e in detail["events"]
                ],
            }
        )

    @extend_schema(request=s.OrganizationUpdateSerializer, responses=s.OrganizationSerializer)
    def patch(self, request, pk: int):
        """Change the organisation's name, contact e-mail or active flag; audited."""
        organization = get_object_or_404(Organization, pk=pk)
        changes = self.body(s.OrganizationUpdateSerializer)
        organization = services.organization_update(organization=organization, actor=request.user, **changes)
        return Response(s.OrganizationSerializer(organization).data)


@extend_schema(parameters=[s.SubscriptionFilterSerializer])
class SubscriptionListView(OperatorView, generics.ListAPIView):
    """List subscriptions with their organisations, newest first: filter by tier and status, search by
    organisation name or slug."""

    serializer_class = s.SubscriptionSerializer

    def get_queryset(self):
        return selectors.subscription_list(**self.query(s.SubscriptionFilterSerializer))


class SubscriptionActionView(OperatorView):
    """POST runs one operator action on the subscription and returns it."""

    area = SUBSCRIPTIONS

    def post(self, request, pk: int):
        subscription = get_object_or_404(Subscription.objects.select_related("organization"), pk=pk)
        updated = self.apply(subscription)
        return Response(s.SubscriptionSerializer(updated).data)


@extend_schema(request=s.ExtendTrialSerializer, responses=s.SubscriptionSerializer)
class ExtendTrialView(SubscriptionActionView):
    """Give the organisation ``days`` more days of trial (reopening a lapsed one); audited."""

    def apply(self, subscription):
        days = self.body(s.ExtendTrialSerializer)["days"]
        return services.operator_extend_trial(subscription=subscription, actor=self.request.user, days=days)


@extend_schema(request=s.SuspendSerializer, responses=s.SubscriptionSerializer)
class SuspendView(SubscriptionActionView):
    """Put the operator's hold on: the workspace is read-only, whatever Stripe says, until reactivated; audited."""

    def apply(self, subscription):
        reason = self.body(s.SuspendSerializer)["reason"]
        return services.operator_suspend(subscription=subscription, actor=self.request.user, reason=reason)


@extend_schema(request=None, responses=s.SubscriptionSerializer)
class ReactivateView(SubscriptionActionView):
    """Lift the operator's hold: the workspace is again what Stripe says (a trial stays a trial); audited."""

    def apply(self, subscription):
        return services.operator_reactivate(subscription=subscription, actor=self.request.user)


@extend_schema(request=s.CompSerializer, responses=s.SubscriptionSerializer)
class CompView(SubscriptionActionView):
    """Give the workspace a tier free, beside what Stripe bills (counted as 0 MRR); audited."""

    def apply(self, subscription):
        data = self.body(s.CompSerializer)
        return services.operator_comp(subscription=subscription, actor=self.request.user, **data)


@extend_schema(request=None, responses=s.SubscriptionSerializer)
class EndCompView(SubscriptionActionView):
    """End the free plan: the workspace is again what Stripe bills; audited."""

    def apply(self, subscription):
        return services.operator_end_comp(subscription=subscription, actor=self.request.user)


@extend_schema(request=s.ChangePlanSerializer, responses=s.SubscriptionSerializer)
class ChangePlanView(SubscriptionActionView):
    """Change a paying customer's plan through Stripe (upgrades now, prorated; the rest at period end); audited."""

    def apply(self, subscription):
        data = self.body(s.ChangePlanSerializer)
        return services.operator_change_plan(subscription=subscription, actor=self.request.user, **data)


class MetricsView(OperatorView):
    """Return the platform's headline figures (organisations, subscriptions, MRR, ARR, usage, ARPA, lifetime
    value, MRR growth, signups, plan and usage breakdowns, trials ending) and the period's payment success,
    customer churn, net revenue retention, quick ratio and operators' activity (definitions in
    ``platform_admin.metrics``)."""

    area = METRICS

    @extend_schema(parameters=[s.GrowthQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(metrics.overview_metrics(period=self.query(s.GrowthQuerySerializer)["period"]))


class GrowthView(OperatorView):
    """Return daily signups, MRR, trial conversions, churn and operators' activity over the period (7d, 30d or
    90d) with its totals, movements, net revenue retention and quick ratio; and signups per week, signups and
    MRR growth per month, over the last twelve."""

    area = METRICS

    @extend_schema(parameters=[s.GrowthQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(metrics.growth_metrics(period=self.query(s.GrowthQuerySerializer)["period"]))


class MovementsQuerySerializer(serializers.Serializer):
    """Whole UTC days, ``start`` to ``end`` (default: today)."""

    start = serializers.DateField()
    end = serializers.DateField(required=False, default=None)

    def validate(self, data):
        if data["end"] is not None and data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The end comes before the start."]})
        return data


class CohortsQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=60, default=12)


class RetentionQuerySerializer(serializers.Serializer):
    """A range of signup cohorts: the first month (YYYY-MM) and how many; unset, the last 12 with signups."""

    start = serializers.DateField(input_formats=["%Y-%m"], required=False, default=None,
                                  help_text="The first cohort's month, YYYY-MM.")
    months = serializers.IntegerField(min_value=1, max_value=60, required=False, default=None)


class TableQuerySerializer(RetentionQuerySerializer):
    period = serializers.ChoiceField(choices=list(metrics.PERIODS), default="30d")


class MovementsView(OperatorView):
    """Return the MRR movements (new, expansion, contraction, churn, reactivation) and customer churn from
    ``start`` to ``end``, whole UTC days."""

    area = METRICS

    @extend_schema(parameters=[MovementsQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = self.query(MovementsQuerySerializer)
        start, end = metrics.days_window(params["start"], params["end"] or timezone.now().date())
        return Response({**metrics.mrr_movements(start, end), "customer_churn": metrics.customer_churn(start, end)})


class CohortsView(OperatorView):
    """Return the trial conversion of each monthly signup cohort over the last ``months`` months."""

    area = METRICS

    @extend_schema(parameters=[CohortsQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        months = self.query(CohortsQuerySerializer)["months"]
        return Response({"months": months, "cohorts": metrics.trial_conversion_cohorts(months=months)})


class RetentionCohortsView(OperatorView):
    """Return the retention table: per signup month, customers and MRR retained each month since signup.

    A range that starts before the first signup or after this month, or runs past this month, is a 400
    naming ``start`` or ``months``."""

    area = METRICS

    @extend_schema(parameters=[RetentionQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(metrics.retention_cohorts(**self.query(RetentionQuerySerializer)))


class MetricsCsvView(OperatorView):
    """Return one metrics table or series as CSV: figures, by_tier, by_billing_cycle, by_currency, usage_by_tier,
    trials_ending, operator_actions, daily, weekly, monthly, movements, retention_cohorts or
    trial_conversion_cohorts (``period``, ``start`` and ``months`` as in the JSON)."""

    area = METRICS

    def perform_content_negotiation(self, request, force=False):
        # The answer is CSV whatever the Accept header; refusals stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(parameters=[TableQuerySerializer], responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, table: str):
        if table not in metrics.TABLES:
            raise ApplicationError(f"Unknown table; use one of {', '.join(metrics.TABLES)}.", field="table",
                                   status=404, code="not_found")
        params = self.query(TableQuerySerializer)
        rows = metrics.metrics_table(table, **params)
        return metrics.csv_download(table, rows, suffix=f"{params['period']}-{timezone.now():%Y-%m-%d}")


class TopOrganizationsView(OperatorView):
    """Return the organisations using the most users, plants or storage, from their latest usage snapshot."""

    @extend_schema(parameters=[s.TopOrganizationsQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        params = self.query(s.TopOrganizationsQuerySerializer)
        rows = metrics.top_organizations(metric=params["metric"], limit=params["limit"])
        return Response({"metric": params["metric"], "results": s.UsageRowSerializer(rows, many=True).data})


class ViolationsView(OperatorView):
    """Return the organisations whose latest usage is over their plan's limits, by name."""

    @extend_schema(parameters=[s.ViolationsQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        rows = metrics.limit_violations(limit=self.query(s.ViolationsQuerySerializer)["limit"])
        return Response({"results": s.UsageRowSerializer(rows, many=True).data})


class ImpersonateView(OperatorView):
    """Issue a single-use link that opens the user's workspace signed in as them for 5-240 minutes; audited."""

    area = IMPERSONATE

    @extend_schema(request=s.ImpersonateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = self.body(s.ImpersonateSerializer)
        organization = Organization.objects.filter(pk=data["organization_id"]).first()
        if organization is None:
            return Response({"organization_id": ["No organisation has this id."]}, status=400)
        url, token = services.impersonation_start(
            actor=request.user, organization=organization, user_id=data["user_id"], minutes=data["minutes"],
            reason=data["reason"],
        )
        return Response({"url": url, "expires_at": token.expires_at, "session_minutes": data["minutes"]}, status=201)


@extend_schema(parameters=[s.TrialExtensionFilterSerializer])
class TrialExtensionListView(OperatorView, generics.ListAPIView):
    """List the workspaces' requests for more trial days, newest first: filter by status (pending, approved,
    declined) or organisation."""

    serializer_class = s.TrialExtensionRequestSerializer

    def get_queryset(self):
        return selectors.trial_extension_list(**self.query(s.TrialExtensionFilterSerializer))


class TrialExtensionActionView(OperatorView):
    area = SUBSCRIPTIONS
    def post(self, request, pk: int):
        extension = get_object_or_404(TrialExtensionRequest, pk=pk)
        return Response(s.TrialExtensionRequestSerializer(self.apply(extension)).data)


@extend_schema(request=s.TrialExtensionApproveSerializer, responses=s.TrialExtensionRequestSerializer)
class TrialExtensionApproveView(TrialExtensionActionView):
    """Approve a pending request: the trial gets the days (in Stripe when Stripe runs it), the owners an e-mail;
    audited. 409 naming ``status`` when it was answered already or the workspace has left its trial."""

    def apply(self, extension):
        days = self.body(s.TrialExtensionApproveSerializer)["days"]
        return services.operator_trial_extension_approve(extension=extension, actor=self.request.user, days=days)


@extend_schema(request=s.TrialExtensionDeclineSerializer, responses=s.TrialExtensionRequestSerializer)
class TrialExtensionDeclineView(TrialExtensionActionView):
    """Decline a pending request, with an optional note the owners get by e-mail; audited."""

    def apply(self, extension):
        note = self.body(s.TrialExtensionDeclineSerializer)["note"]
        return services.operator_trial_extension_decline(extension=extension, actor=self.request.user, note=note)


@extend_schema(parameters=[s.AuditFilterSerializer])
class AuditLogView(OperatorView, generics.ListAPIView):
    """List audit entries, newest first: filter by action, actor e-mail, organisation or target type."""

    serializer_class = s.AuditEntrySerializer

    def get_queryset(self):
        return selectors.audit_list(**self.query(s.AuditFilterSerializer))
