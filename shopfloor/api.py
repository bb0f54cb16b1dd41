"""The tenant data API (Enterprise "API access"): plants, materials, work orders and NCRs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from shopfloor import selectors, serializers, services
from shopfloor.models import NCR, Material, Plant, WorkOrder
from shopfloor.permissions import CanConfigureOrReadOnly, FeatureNotInPlan
from shopfloor.states import IllegalStatusChange
from subscriptions.gates import SubscriptionWritable, has_feature
from subscriptions.limits import LimitExceeded, upgrade_url


class LimitReached(exceptions.APIException):
    status_code = 403
    default_code = "limit_reached"


def api_exception_for(exc: Exception) -> Exception:
    """Translate a service's refusal into the API error it answers with."""
    if isinstance(exc, LimitExceeded):
        return LimitReached({"code": "limit_reached", **exc.check.as_dict()})
    if isinstance(exc, FeatureNotInPlan):
        return exceptions.PermissionDenied(
            {"code": "feature_not_in_plan", "feature": exc.feature, "upgrade_url": upgrade_url()}
        )
    if isinstance(exc, IllegalStatusChange):
        return exceptions.ValidationError({"status": [str(exc)]})
    return exc


class RecordViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, create, read and update; reads filter with the selector's query parameters."""

    permission_classes = [IsAuthenticated, has_feature("api_access"), SubscriptionWritable]
    filters: tuple[str, ...] = ("q",)
    select = None

    def get_queryset(self):
        params = {name: self.request.query_params[name] for name in self.filters if self.request.query_params.get(name)}
        return type(self).select(**params)

    def handle_exception(self, exc):
        return super().handle_exception(api_exception_for(exc))

    def perform_create(self, serializer):
        serializer.instance = self.create_record(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_record(serializer.instance, **serializer.validated_data)


class PlantViewSet(RecordViewSet):
    """Plants. A new plant gets four departments, three lanes and a day shift."""

    serializer_class = serializers.PlantSerializer
    permission_classes = [*RecordViewSet.permission_classes, CanConfigureOrReadOnly]
    select = selectors.plant_list
    queryset = Plant.objects.none()

    def get_queryset(self):
        return super().get_queryset().prefetch_related("departments", "lanes", "shifts")  # the serializer lists them

    def create_record(self, **data):
        return services.plant_create(organization=self.request.tenant, **data)

    def update_record(self, plant, **data):
        return services.plant_update(plant=plant, **data)


class MaterialViewSet(RecordViewSet):
    serializer_class = serializers.MaterialSerializer
    queryset = Material.objects.none()

    def get_permissions(self):
        extra = [] if self.action == "count" else [CanConfigureOrReadOnly()]
        return super().get_permissions() + extra

    def get_queryset(self):
        low = self.request.query_params.get("low", "").lower() in ("1", "true", "yes", "on")
        q, unit = self.request.query_params.get("q", ""), self.request.query_params.get("unit", "")
        return selectors.material_list(q=q, unit=unit, low=low)

    def create_record(self, **data):
        return services.material_create(**data)

    def update_record(self, material, **data):
        return services.material_update(material=material, **data)

    @extend_schema(request=serializers.MaterialCountSerializer, responses=serializers.MaterialSerializer)
    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        """Record a stock count (any role)."""
        data = serializers.MaterialCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.material_adjust(material=self.get_object(), **data.validated_data)
        return Response(serializers.MaterialSerializer(material).data)


class AdvanceActionMixin:
    """``POST <id>/advance`` with an optional ``status``: move the record one step along its flow."""

    @extend_schema(request=serializers.AdvanceSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        data = serializers.AdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = self.advance_record(self.get_object(), data.validated_data.get("status"))
        return Response(self.get_serializer(record).data)


class WorkOrderViewSet(AdvanceActionMixin, RecordViewSet):
    serializer_class = serializers.WorkOrderSerializer
    filters = ("q", "status")
    select = selectors.work_order_list
    queryset = WorkOrder.objects.none()

    def create_record(self, **data):
        return services.work_order_create(**data)

    def update_record(self, work_order, **data):
        return services.work_order_update(work_order=work_order, **data)

    def advance_record(self, work_order, to):
        return services.work_order_advance(work_order=work_order, to=to)


class NCRViewSet(AdvanceActionMixin, RecordViewSet):
    serializer_class = serializers.NCRSerializer
    permission_classes = [*RecordViewSet.permission_classes, has_feature("quality_management")]
    filters = ("q", "status", "severity")
    select = selectors.ncr_list
    queryset = NCR.objects.none()

    def create_record(self, **data):
        return services.ncr_create(organization=self.request.tenant, reported_by=self.request.user, **data)

    def update_record(self, ncr, **data):
        return services.ncr_update(ncr=ncr, **data)

    def advance_record(self, ncr, to):
        return services.ncr_advance(ncr=ncr, to=to)
