"""JWT bound to the tenant that issued it: a token from one organisation is worthless at another."""

from __future__ import annotations

from django.db import connection
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.lockout import SignInLocked

SCHEMA_CLAIM = "schema"


class TenantJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if token.get(SCHEMA_CLAIM) != connection.schema_name:
            raise exceptions.AuthenticationFailed("This token belongs to another workspace.", code="wrong_tenant")
        return token


class TenantJWTScheme(SimpleJWTScheme):
    """Describe the tenant-bound JWT in the OpenAPI schema as the bearer scheme it is."""

    target_class = "accounts.authentication.TenantJWTAuthentication"


class TenantTokenObtainSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token[SCHEMA_CLAIM] = connection.schema_name
        return token

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except exceptions.AuthenticationFailed:
            # Axes flags a locked sign-in on the request whether or not the account exists.
            if getattr(self.context["request"], "axes_locked_out", False):
                raise SignInLocked() from None
            raise


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])
        if refresh.get(SCHEMA_CLAIM) != connection.schema_name:
            raise exceptions.AuthenticationFailed("This token belongs to another workspace.", code="wrong_tenant")
        return super().validate(attrs)
