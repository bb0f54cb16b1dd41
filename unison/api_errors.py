"""Turn every API error into a JSON body that names the field."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from unison.errors import ApplicationError


def exception_handler(exc, context):
    """Return the JSON answer to a refusal: an ApplicationError with its code and status, Django's
    ValidationError as a 400 with field errors, and DRF's own errors as DRF answers them."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)


def validated(serializer_class, data, *, allow_unknown: bool = False, **kwargs) -> dict:
    """Return ``data`` validated by the serializer; a bad field raises DRF's 400 that names it.

    A key that is not a field of the serializer is refused the same way, ``{"<key>": ["Unknown
    field."]}``, instead of being dropped without a word (``allow_unknown=True`` keeps DRF's way, for
    query strings). ``kwargs`` go to the serializer: ``instance``, ``partial``, ``context``.
    """
    serializer = serializer_class(data=data, **kwargs)
    unknown = sorted(set(data) - set(serializer.fields)) if isinstance(data, Mapping) and not allow_unknown else []
    errors = {} if serializer.is_valid() else dict(serializer.errors)
    errors.update({key: ["Unknown field."] for key in unknown})
    if errors:
        raise serializers.ValidationError(errors)
    return serializer.validated_data
