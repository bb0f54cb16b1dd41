from __future__ import annotations

from rest_framework import serializers

from apikeys.models import APIKey, Scope
from apikeys.services import EXPIRY_DAYS
from unison.api_fields import TextField


class APIKeySerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="active, expired or revoked")
    display = serializers.CharField(read_only=True, help_text="The key's prefix; the key itself is never shown again.")

    class Meta:
        model = APIKey
        fields = ["id", "name", "scope", "display", "state", "created_at", "created_by", "expires_at",
                  "last_used_at", "revoked_at", "revoked_by"]
        read_only_fields = fields

    def get_state(self, key: APIKey) -> str:
        return key.state()


class APIKeyCreateSerializer(serializers.Serializer):
    name = TextField(min_length=1, max_length=80)
    scope = serializers.ChoiceField(choices=Scope.choices, help_text="read: GET only; write: every method.")
    expires_in_days = serializers.IntegerField(min_value=EXPIRY_DAYS[0], max_value=EXPIRY_DAYS[1], allow_null=True,
                                               required=False, default=None, help_text="null: never expires")


class APIKeyCreatedSerializer(APIKeySerializer):
    key = serializers.CharField(read_only=True, help_text="The key itself: shown in this answer only, keep it safe.")

    class Meta(APIKeySerializer.Meta):
        fields = [*APIKeySerializer.Meta.fields, "key"]
        read_only_fields = fields
