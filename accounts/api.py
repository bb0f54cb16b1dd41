"""Token endpoints of the tenant API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.authentication import TenantTokenObtainSerializer, TenantTokenRefreshSerializer
from unison.api_errors import validated


class ValidatedTokenMixin:
    """simplejwt's POST with our input check: an unknown field is refused with a 400 that names it."""

    def post(self, request, *args, **kwargs):
        try:
            tokens = validated(self.get_serializer_class(), request.data, context=self.get_serializer_context())
        except TokenError as error:
            raise InvalidToken(error.args[0]) from error
        return Response(tokens)


class TokenObtainView(ValidatedTokenMixin, TokenObtainPairView):
    """Exchange e-mail and password for an access and a refresh token."""

    serializer_class = TenantTokenObtainSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class TokenRefreshTenantView(ValidatedTokenMixin, TokenRefreshView):
    """Exchange a refresh token of this workspace for a new access token."""

    serializer_class = TenantTokenRefreshSerializer


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    role = serializers.CharField()


class MeView(APIView):
    """Return the signed-in user of this workspace."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
