"""JWT bound to the tenant that issued it and to the user's credentials when it was issued.

A token from one organisation is worthless at another, and a token issued before a new password,
a role change or a removal (``accounts.services.user_credentials_revoke``) is worthless everywhere.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.lockout import SignInLocked

SCHEMA_CLAIM = "schema"
CREDENTIALS_CLAIM = "credentials"


def credentials_check(user, token) -> None:
    """Raise AuthenticationFailed unless the token was issued for the user's current credentials.

    ``user`` is None when the token's user no longer exists. Whether the user is active, simplejwt checks.
    """
    if user is None or token.get(CREDENTIALS_CLAIM) != user.credentials_hash():
        raise exceptions.AuthenticationFailed(
            "This token was issued before the account's password or access changed. Sign in again.",
            code="credentials_changed",
        )


class TenantJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if token.get(SCHEMA_CLAIM) != connection.schema_name:
            raise exceptions.AuthenticationFailed("This token belongs to another workspace.", code="wrong_tenant")
        return token

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        credentials_check(user, validated_token)
        return user


class TenantJWTScheme(SimpleJWTScheme):
    """Describe the tenant-bound JWT in the OpenAPI schema as the bearer scheme it is."""

    target_class = "accounts.authentication.TenantJWTAuthentication"


class TenantTokenObtainSerializer(TokenObtainPairSerializer):
    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token[SCHEMA_CLAIM] = connection.schema_name
        token[CREDENTIALS_CLAIM] = user.credentials_hash()
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
        user_id = refresh.get(api_settings.USER_ID_CLAIM)
        credentials_check(get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first(), refresh)
        return super().validate(attrs)
