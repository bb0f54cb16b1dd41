from __future__ import annotations

from rest_framework import serializers

from unison.api_fields import TextField


class DeletionRequestSerializer(serializers.Serializer):
    confirm_name = TextField(min_length=1, max_length=120, help_text="The workspace's name, exactly as it is.")


class DeletionStatusSerializer(serializers.Serializer):
    pending = serializers.BooleanField(help_text="Whether a deletion is pending (the workspace is read-only)")
    requested_at = serializers.DateTimeField(allow_null=True, source="deletion_requested_at")
    due_at = serializers.DateTimeField(
        allow_null=True, source="deletion_due_at", help_text="When the workspace is deleted for good; null: not pending"
    )
    requested_by = serializers.CharField(source="deletion_requested_by")
