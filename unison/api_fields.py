"""Serializer fields that take what the OpenAPI schema describes, not the other spellings DRF would read."""

from __future__ import annotations

from rest_framework import serializers


class TextField(serializers.CharField):
    """Text that must be sent as a JSON string (DRF's CharField would also take 12 and make it "12")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
