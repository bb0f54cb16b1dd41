"""Token endpoints of the tenant API."""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts.authentication import TenantTokenObtainSerializer, TenantTokenRefreshSerializer


class TokenObtainView(TokenObtainPairView):
    """Exchange e-mail and password for an access and a refresh token."""

    serializer_class = TenantTokenObtainSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class TokenRefreshTenantView(TokenRefreshView):
    serializer_class = TenantTokenRefreshSerializer
