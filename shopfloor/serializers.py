"""JSON shapes of the tenant data API. They validate input; services make the change."""

from __future__ import annotations

from rest_framework import serializers

from shopfloor.models import NCR, Material, Plant, WorkOrder


class PlantSerializer(serializers.ModelSerializer):
    departments = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    lanes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    shifts = serializers.StringRelatedField(many=True, read_only=True)

    class Meta:
        model = Plant
        fields = ["id", "name", "code", "time_zone", "address", "created_at", "departments", "lanes", "shifts"]
        read_only_fields = ["created_at"]

    def to_internal_value(self, data):
        if isinstance(data.get("code"), str):
            data = {**data, "code": data["code"].strip().upper()}
        return super().to_internal_value(data)


class MaterialSerializer(serializers.ModelSerializer):
    below_reorder_point = serializers.BooleanField(read_only=True)

    class Meta:
        model = Material
        fields = ["id", "sku", "name", "unit", "quantity_on_hand", "reorder_point", "below_reorder_point"]


class MaterialCountSerializer(serializers.Serializer):
    quantity_on_hand = serializers.DecimalField(max_digits=12, decimal_places=3)


class WorkOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkOrder
        fields = ["id", "number", "material", "quantity", "plant", "lane", "due_date", "status", "created_at"]
        read_only_fields = ["number", "status", "created_at"]


class NCRSerializer(serializers.ModelSerializer):
    class Meta:
        model = NCR
        fields = [
            "id", "number", "work_order", "material", "description", "severity", "disposition", "status", "created_at",
        ]
        read_only_fields = ["number", "status", "created_at"]


class AdvanceSerializer(serializers.Serializer):
    status = serializers.CharField(
        required=False, help_text="The status to move to; it must be the next one. Leave out for the next one."
    )
