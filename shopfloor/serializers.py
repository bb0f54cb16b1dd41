"""JSON shapes of the tenant data API. They validate input; services make the change."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from shopfloor import states
from shopfloor.models import NCR, Material, Plant, Unit, WorkOrder
from unison import time_zones
from unison.api_fields import TextField

SEARCH_MAX_LENGTH = 200
# Strings a record cannot leave blank: said in the schema too (minLength 1), not only refused.
NOT_BLANK = {"min_length": 1}


class PatternField:
    """A field whose input must be text matching ``pattern`` before it is parsed (the schema shows the pattern):
    the API takes what its schema describes, not the many other spellings DRF's parsers would read."""

    pattern = ""
    pattern_message = ""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(self.pattern, data):
            raise serializers.ValidationError(self.pattern_message)
        return super().to_internal_value(data)


DATE_PATTERN = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
# Amounts of up to 9 digits before the point and 3 after, as strings (what the API writes too).
AMOUNT_PATTERN = r"^[0-9]{1,9}(\.[0-9]{1,3})?$"
QUANTITY_PATTERN = r"^([1-9][0-9]{0,8}(\.[0-9]{1,3})?|0{0,9}\.([1-9][0-9]{0,2}|0[1-9][0-9]?|00[1-9]))$"
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_PATTERN,
                      "description": "From 2000-01-01 to 2100-12-31."})
class BoundedDateField(PatternField, serializers.DateField):
    """A date as YYYY-MM-DD; the model bounds it to 2000-01-01 … 2100-12-31."""

    pattern = DATE_PATTERN
    pattern_message = "Give a date as YYYY-MM-DD, from 2000-01-01 to 2100-12-31."


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN})
class AmountField(PatternField, serializers.DecimalField):
    """A stock amount as a string, not negative, e.g. "12.5"."""

    pattern = AMOUNT_PATTERN
    pattern_message = 'Give the amount as a string of up to 9 digits and 3 decimals, e.g. "12.5".'


@extend_schema_field({"type": "string", "format": "decimal", "pattern": QUANTITY_PATTERN})
class QuantityField(AmountField):
    """A quantity to make: more than 0."""

    pattern = QUANTITY_PATTERN
    pattern_message = 'Give a quantity of more than 0 as a string of up to 9 digits and 3 decimals, e.g. "20".'

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=3, min_value=Decimal("0.001"), **kwargs)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 20, "pattern": CODE_PATTERN,
                      "description": "Short code, e.g. DET-1: letters, digits and dashes, saved in capitals."})
class CodeField(PatternField, serializers.CharField):
    """A plant's code; lower-case letters are saved as capitals."""

    pattern = CODE_PATTERN
    pattern_message = "Use letters, digits and dashes, e.g. PLANT-1."

    def __init__(self, **kwargs):
        super().__init__(max_length=20, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data).upper()


class RecordIdField(serializers.PrimaryKeyRelatedField):
    """Another record, by its id as a JSON integer (DRF's would also take "12")."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class RecordSerializer(serializers.ModelSerializer):
    # A model's fields as the schema describes them: text as strings, records by integer id, the bounds of
    # dates and amounts, and read-only fields refused in a body rather than dropped without a word (no
    # docstring: the schema would show it as every record's description).
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping,
                                models.CharField: TextField, models.TextField: TextField,
                                models.DateField: BoundedDateField, models.DecimalField: AmountField}
    serializer_related_field = RecordIdField

    def to_internal_value(self, data):
        read_only = [name for name, field in self.fields.items() if field.read_only and name in data] \
            if isinstance(data, dict) else []
        if read_only:
            raise serializers.ValidationError({name: ["This field is read-only."] for name in read_only})
        return super().to_internal_value(data)


class TimeZoneField(serializers.ChoiceField):
    """A canonical IANA zone name (the schema lists them); an old name is refused with the name to use instead."""

    def __init__(self, **kwargs):
        super().__init__(choices=time_zones.canonical_zones(), **kwargs)

    def to_internal_value(self, data):
        if message := time_zones.refusal(data):
            raise serializers.ValidationError(message)
        return data


class PlantSerializer(RecordSerializer):
    departments = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    lanes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    shifts = serializers.StringRelatedField(many=True, read_only=True)
    code = CodeField(validators=[UniqueValidator(queryset=Plant.objects.all())])
    time_zone = TimeZoneField(required=False, help_text="Canonical IANA name, e.g. Europe/Berlin; UTC when left out.")

    class Meta:
        model = Plant
        fields = ["id", "name", "code", "time_zone", "address", "created_at", "departments", "lanes", "shifts"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"name": NOT_BLANK}


class MaterialSerializer(RecordSerializer):
    below_reorder_point = serializers.BooleanField(read_only=True)

    class Meta:
        model = Material
        fields = ["id", "sku", "name", "unit", "quantity_on_hand", "reorder_point", "below_reorder_point"]
        extra_kwargs = {"sku": NOT_BLANK, "name": NOT_BLANK}


class MaterialCountSerializer(serializers.Serializer):
    quantity_on_hand = AmountField(max_digits=12, decimal_places=3, min_value=Decimal(0))


class WorkOrderSerializer(RecordSerializer):
    quantity = QuantityField()

    class Meta:
        model = WorkOrder
        fields = ["id", "number", "material", "quantity", "plant", "lane", "due_date", "status", "created_at"]
        read_only_fields = ["number", "status", "created_at"]


class NCRSerializer(RecordSerializer):
    class Meta:
        model = NCR
        fields = [
            "id", "number", "work_order", "material", "description", "severity", "disposition", "status", "created_at",
        ]
        read_only_fields = ["number", "status", "created_at"]
        extra_kwargs = {"description": NOT_BLANK}


ADVANCE_HELP = "The status to move to; it must be the next one (else a 409). Leave out for the next one."


class WorkOrderAdvanceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=states.WorkOrderStatus.choices, required=False, help_text=ADVANCE_HELP)


class NCRAdvanceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=states.NCRStatus.choices, required=False, help_text=ADVANCE_HELP)


def _search_field(text: str) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=SEARCH_MAX_LENGTH, help_text=text)


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter: ``true``/``false`` (or 1/0, yes/no, on/off); an empty one is refused,
    not read as left out (DRF's way with HTML forms), as the schema's boolean says."""

    def get_value(self, dictionary):
        return dictionary.get(self.field_name, serializers.empty)


class PlantQuerySerializer(serializers.Serializer):
    """The query parameters of the plant list."""

    q = _search_field("Search the name, code and address.")


class MaterialQuerySerializer(serializers.Serializer):
    """The query parameters of the material list."""

    q = _search_field("Search the SKU and name.")
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, allow_blank=True,
                                   help_text="Only materials of this unit.")
    low = QueryBooleanField(required=False, default=False, help_text="Only those under their reorder point.")


class WorkOrderQuerySerializer(serializers.Serializer):
    """The query parameters of the work-order list."""

    q = _search_field("Search the number and the material's SKU and name.")
    status = serializers.ChoiceField(choices=states.WorkOrderStatus.choices, required=False, allow_blank=True)


class NCRQuerySerializer(serializers.Serializer):
    """The query parameters of the NCR list."""

    q = _search_field("Search the number, description, work order and material.")
    status = serializers.ChoiceField(choices=states.NCRStatus.choices, required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=states.Severity.choices, required=False, allow_blank=True)
