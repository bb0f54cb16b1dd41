"""JWT bound to the tenant that issued it and to the user's credentials when it was issued.

A token from one organisation is worthless at another, and a token issued before a new password,
a role change or a removal (``accounts.services.user_credentials_revoke``) is worthless everywhere.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions, serializers
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenObtainSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import sign_in_rules
from accounts.lockout import SignInLocked
from accounts.two_factor import TwoFactorInvalid, two_factor_check, two_factor_enabled, two_factor_required
from accounts.two_factor_flow import code_attempt
from unison.errors import ApplicationError

SCHEMA_CLAIM = "schema"
CREDENTIALS_CLAIM = "credentials"
TWO_FACTOR_CLAIM = "two_factor"  # True: the token was issued for a password and a code


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
    """E-mail and password, and ``two_factor_code`` when the account has two-factor (operators always do).

    Without the code such an account gets a 401 ``two_factor_required``; a wrong, reused or used code a
    400 ``two_factor_invalid``, counted towards the lockout like a wrong password.
    """

    two_factor_code = serializers.CharField(required=False, write_only=True, max_length=32,
                                 help_text="The 6-digit code of the account's authenticator app, or a recovery code.")

    @classmethod
    def get_token(cls, user):
        token = super().get_token(user)
        token[SCHEMA_CLAIM] = connection.schema_name
        token[CREDENTIALS_CLAIM] = user.credentials_hash()
        token[TWO_FACTOR_CLAIM] = bool(getattr(user, "two_factor_passed", False))
        return token

    def validate(self, attrs):
        request = self.context["request"]
        try:
            TokenObtainSerializer.validate(self, attrs)  # the password: sets self.user
        except exceptions.AuthenticationFailed:
            # Axes flags a locked sign-in on the request whether or not the account exists.
            if getattr(request, "axes_locked_out", False):
                raise SignInLocked() from None
            raise
        refusal = sign_in_rules.password_refusal(request, self.user)
        if refusal:
            raise ApplicationError(refusal, code="sso_required", status=403)
        self._second_factor(self.user, attrs.get("two_factor_code"))
        refresh = self.get_token(self.user)
        user_logged_in.send(sender=self.user.__class__, request=request, user=self.user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}

    def _second_factor(self, user, code: str | None) -> None:
        request = self.context["request"]
        organization = getattr(request, "tenant", None)
        if two_factor_enabled(user):
            if not code:
                raise ApplicationError("This account signs in with two-factor: send the code of its authenticator "
                                       "app (or a recovery code) as two_factor_code.", code="two_factor_required",
                                       status=401, field="two_factor_code")
            try:
                code_attempt(request, user=user, check=lambda: two_factor_check(user=user, code=code))
            except TwoFactorInvalid as exc:
                exc.field = "two_factor_code"
                raise
            user.two_factor_passed = True
        elif two_factor_required(user, organization):
            raise ApplicationError("Two-factor sign-in is required for this account: set it up by signing in "
                                   "in a browser first.", code="two_factor_enrolment_required", status=403)


class TenantTokenRefreshSerializer(TokenRefreshSerializer):
    def validate(self, attrs):
        refresh = RefreshToken(attrs["refresh"])
        if refresh.get(SCHEMA_CLAIM) != connection.schema_name:
            raise exceptions.AuthenticationFailed("This token belongs to another workspace.", code="wrong_tenant")
        user_id = refresh.get(api_settings.USER_ID_CLAIM)
        credentials_check(get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first(), refresh)
        return super().validate(attrs)
