"""What the export API answers."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from exports.models import Export


class ExportSerializer(serializers.ModelSerializer):
    requested_by = serializers.EmailField(source="requested_by.email", allow_null=True, read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = ["id", "status", "progress", "size_bytes", "error", "requested_by", "created_at", "started_at",
                  "finished_at", "download_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, export: Export) -> str | None:
        return reverse("export_download", args=[export.pk]) if export.is_downloadable else None


class ExportStatusSerializer(serializers.Serializer):
    export = ExportSerializer(allow_null=True, help_text="The newest export; null before the first.")


class ExportStartSerializer(serializers.Serializer):
    """An export takes no options: any field sent is refused by name."""
