from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from domains.hosts import HOST_PATTERN, MAX_LENGTH
from domains.models import CustomDomain
from domains.selectors import custom_domain_record


class CustomDomainCreateSerializer(serializers.Serializer):
    host = serializers.RegexField(
        HOST_PATTERN,
        max_length=MAX_LENGTH,
        trim_whitespace=False,  # a space is outside the pattern: refused
        error_messages={"invalid": "Use a host name such as mes.yourcompany.com (IDNA-encoded for other scripts)."},
        help_text="Host name, e.g. mes.yourcompany.com; not a subdomain of Unison's own domain (409 host_reserved)",
    )


class RecordSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["TXT"])
    value = serializers.CharField()


class CustomDomainSerializer(serializers.ModelSerializer):
    record = serializers.SerializerMethodField(help_text="The DNS record to create to prove the claim")

    class Meta:
        model = CustomDomain
        fields = ["id", "host", "status", "record", "created_at", "verified_at", "last_checked_at", "last_error"]
        read_only_fields = fields

    @extend_schema_field(RecordSerializer)
    def get_record(self, row) -> dict:
        return RecordSerializer(custom_domain_record(row)).data
