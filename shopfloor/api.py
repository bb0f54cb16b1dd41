"""The tenant data API (Enterprise "API access"): plants, materials, work orders and NCRs.

Every body is checked by ``unison.api_errors.validated``: a bad or unknown field is a 400 naming it.
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import CharField
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from shopfloor import selectors, serializers, services
from shopfloor.models import NCR, Material, Plant, WorkOrder
from shopfloor.permissions import CanConfigureOrReadOnly
from subscriptions.gates import SubscriptionWritable, has_feature
from unison.api_errors import validated


class PageNumbers(PageNumberPagination):
    """DRF's page numbers, where a page that is not a whole number from 1 is a 400 naming ``page``."""

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param, "1")
        if not re.fullmatch(r"[1-9][0-9]{0,8}", number):
            raise ValidationError({self.page_query_param: ["Give a page number: 1, 2, 3, …"]})
        return number

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1, maximum=999_999_999)
        return parameters


class ClosedBodySchema(AutoSchema):
    """drf-spectacular's schema, saying what the API does: a body field the serializer lacks is refused
    (``validated()``), and so is text with a NUL character (DRF's CharField, ``unison.nul_bytes``)."""

    def _map_basic_serializer(self, serializer, direction):
        return {**super()._map_basic_serializer(serializer, direction), "additionalProperties": False}

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, CharField) and schema.get("type") == "string" and "enum" not in schema:
            schema["not"] = {"pattern": "\\x00"}  # not a pattern of its own: blank fields get a oneOf on those
        return schema


class RecordViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, create, read and update; the list filters with ``query_serializer``'s parameters.

    Bodies are JSON only: a form or multipart body is a 415, not a guess at what it meant.
    """

    permission_classes = [IsAuthenticated, has_feature("api_access"), SubscriptionWritable]
    api_key_access = True  # workspace API keys may call it (apikeys.authentication)
    parser_classes = [JSONParser]
    schema = ClosedBodySchema()
    pagination_class = PageNumbers
    query_serializer = serializers.PlantQuerySerializer
    select = None

    def get_queryset(self):
        if self.action != "list":
            return type(self).select()
        query = validated(self.query_serializer, self.request.query_params, allow_unknown=True)
        return type(self).select(**{name: value for name, value in query.items() if value not in ("", False)})

    def create(self, request, *args, **kwargs):
        data = validated(self.get_serializer_class(), request.data, context=self.get_serializer_context())
        return Response(self.get_serializer(self.create_record(**data)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        record = self.get_object()
        data = validated(self.get_serializer_class(), request.data, instance=record, partial=partial,
                         context=self.get_serializer_context())
        return Response(self.get_serializer(self.update_record(record, **data)).data)


def described(**descriptions: str):
    """Give each action of a viewset its own description in the OpenAPI schema, the list its query
    parameters and ``advance`` its body."""

    def describe(viewset):
        extra = {"list": {"parameters": [viewset.query_serializer]},
                 "advance": {"request": getattr(viewset, "advance_serializer", None)}}
        return extend_schema_view(**{
            action: extend_schema(description=text, **extra.get(action, {})) for action, text in descriptions.items()
        })(viewset)

    return describe


@described(
    list="List the plants, searched by name, code or address (`q`).",
    create="Create a plant (owners and admins) within the plan's plant limit; it comes with the departments "
    "Cutting, Welding, Assembly and QC, Lanes 1-3 and a day shift.",
    retrieve="Return one plant with its departments, lanes and shifts.",
    update="Replace a plant's name, code, time zone and address (owners and admins).",
    partial_update="Change some of a plant's name, code, time zone and address (owners and admins).",
)
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


@described(
    list="List materials, searched by SKU or name (`q`), of one `unit`, or only those under their reorder "
    "point (`low=true`).",
    create="Create a material (owners and admins); SKUs are unique.",
    retrieve="Return one material with its stock and whether it is under its reorder point.",
    update="Replace a material's SKU, name, unit, stock and reorder point (owners and admins).",
    partial_update="Change some of a material's fields (owners and admins).",
    count="Record a stock count: set the quantity on hand (any role).",
)
class MaterialViewSet(RecordViewSet):
    """Materials: owners and admins keep the list, anyone records a count."""

    serializer_class = serializers.MaterialSerializer
    query_serializer = serializers.MaterialQuerySerializer
    select = selectors.material_list
    queryset = Material.objects.none()

    def get_permissions(self):
        extra = [] if self.action == "count" else [CanConfigureOrReadOnly()]
        return super().get_permissions() + extra

    def create_record(self, **data):
        return services.material_create(**data)

    def update_record(self, material, **data):
        return services.material_update(material=material, **data)

    @extend_schema(request=serializers.MaterialCountSerializer, responses=serializers.MaterialSerializer)
    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        data = validated(serializers.MaterialCountSerializer, request.data)
        material = services.material_adjust(material=self.get_object(), **data)
        return Response(serializers.MaterialSerializer(material).data)


class AdvanceActionMixin:
    """``POST <id>/advance`` with an optional ``status``: move the record one step along its flow."""

    advance_serializer = None

    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        data = validated(self.advance_serializer, request.data)
        record = self.advance_record(self.get_object(), data.get("status"))
        return Response(self.get_serializer(record).data)


@described(
    list="List work orders, searched by number or material (`q`), filtered by `status`.",
    create="Create a planned work order, numbered WO-00001, WO-00002, ...",
    retrieve="Return one work order.",
    update="Replace a work order that is not closed yet; its status moves only through `advance`.",
    partial_update="Change some fields of a work order that is not closed yet; its status moves only through "
    "`advance`.",
    advance="Move the work order one step: planned, released, in progress, completed, closed. `status` may "
    "name the next one; any other is refused with a 409.",
)
class WorkOrderViewSet(AdvanceActionMixin, RecordViewSet):
    """Work orders, for any role; they move one step at a time."""

    serializer_class = serializers.WorkOrderSerializer
    query_serializer = serializers.WorkOrderQuerySerializer
    advance_serializer = serializers.WorkOrderAdvanceSerializer
    select = selectors.work_order_list
    queryset = WorkOrder.objects.none()

    def create_record(self, **data):
        return services.work_order_create(**data)

    def update_record(self, work_order, **data):
        return services.work_order_update(work_order=work_order, **data)

    def advance_record(self, work_order, to):
        return services.work_order_advance(work_order=work_order, to=to)


@described(
    list="List non-conformance reports, searched by number, description, work order or material (`q`), "
    "filtered by `status` and `severity`.",
    create="Report a non-conformance as the signed-in user, numbered NCR-00001, NCR-00002, ...",
    retrieve="Return one non-conformance report.",
    update="Replace an NCR that is not closed yet; its status moves only through `advance`.",
    partial_update="Change some fields of an NCR that is not closed yet; its status moves only through `advance`.",
    advance="Move the NCR one step: open, investigating, closed; closing needs a disposition other than pending. "
    "`status` may name the next one; any other is refused with a 409.",
)
class NCRViewSet(AdvanceActionMixin, RecordViewSet):
    """Non-conformance reports; they need the plan's quality management."""

    serializer_class = serializers.NCRSerializer
    permission_classes = [*RecordViewSet.permission_classes, has_feature("quality_management")]
    query_serializer = serializers.NCRQuerySerializer
    advance_serializer = serializers.NCRAdvanceSerializer
    select = selectors.ncr_list
    queryset = NCR.objects.none()

    def create_record(self, **data):
        user = self.request.user  # an API key reports as the workspace: no person (its audit entry names the key)
        return services.ncr_create(organization=self.request.tenant, reported_by=user if user.pk else None,
                                   impersonated_by=self.request.session.get("impersonator", ""), **data)

    def update_record(self, ncr, **data):
        return services.ncr_update(ncr=ncr, **data)

    def advance_record(self, ncr, to):
        return services.ncr_advance(ncr=ncr, to=to)
