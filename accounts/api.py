"""Token endpoints of the tenant API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.authentication import TenantTokenObtainSerializer, TenantTokenRefreshSerializer


class TokenObtainView(TokenObtainPairView):
    """Exchange e-mail and password for an access and a refresh token."""

    serializer_class = TenantTokenObtainSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class TokenRefreshTenantView(TokenRefreshView):
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
