"""The signup API on the public host."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketing.services import signup_complete
from marketing.throttles import SignupAttemptThrottle, SignupThrottle, signup_count
from subscriptions import catalog
from unison.api_errors import validated


class SignupInput(serializers.Serializer):
    # Blank values pass through to signup_complete, which names every wrong field at once.
    organization_name = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    subdomain = serializers.CharField(required=False, allow_blank=True, default="")
    full_name = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    email = serializers.CharField(required=False, allow_blank=True, default="")
    password = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    industry = serializers.CharField(required=False, allow_blank=True, default="")
    currency = serializers.ChoiceField(choices=list(catalog.CURRENCIES), required=False, default=catalog.CURRENCY,
                                       help_text="what the workspace's first checkout bills in")


SignupOutput = inline_serializer(
    "SignupOutput",
    {
        "organization": inline_serializer(
            "SignupOrganization", {"slug": serializers.CharField(), "url": serializers.URLField()}
        ),
        "login_url": serializers.URLField(help_text="Single use and short-lived; opens the workspace signed in."),
    },
)


class SignupView(APIView):
    """Create a workspace with its free trial and return a one-time sign-in link for its owner."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [SignupAttemptThrottle, SignupThrottle]

    @extend_schema(request=SignupInput, responses={201: SignupOutput}, operation_id="signup")
    def post(self, request):
        signup = signup_complete(**validated(SignupInput, request.data))
        signup_count(request)
        body = {
            "organization": {"slug": signup.organization.slug, "url": signup.organization.url},
            "login_url": signup.login_url,
        }
        return Response(body, status=status.HTTP_201_CREATED)
