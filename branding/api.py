"""``/api/v1/branding``: read the workspace's white labelling (members), change it (owners and admins, Enterprise)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import OwnerOrAdminSignedIn
from branding import selectors, services
from branding.serializers import BrandingSerializer, LogoUploadSerializer, branding_data
from subscriptions.gates import SubscriptionWritable, has_feature
from unison.api_errors import validated


class BrandingWriteMixin:
    """Reads for every member; writes for owners and admins, on a plan with white labelling, while writable."""

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [IsAuthenticated()]
        return [OwnerOrAdminSignedIn(), has_feature(selectors.FEATURE)(), SubscriptionWritable()]

    def answer(self, request) -> Response:
        return Response(branding_data(selectors.branding_look(),
                                      applied=request.entitlements.has(selectors.FEATURE)))


class BrandingView(BrandingWriteMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(responses=BrandingSerializer, summary="The workspace's white labelling")
    def get(self, request):
        """Return the accent colour, e-mail sender name and logo, and whether the plan applies them."""
        return Response(branding_data(selectors.branding_look(), applied=request.entitlements.has(selectors.FEATURE)))

    @extend_schema(request=BrandingSerializer, responses=BrandingSerializer, summary="Change the white labelling")
    def patch(self, request):
        """Change the accent colour (refused with a suggestion when white text on it fails WCAG AA) or sender name."""
        data = validated(BrandingSerializer, request.data, partial=True)
        services.branding_update(organization=request.tenant, actor_email=request.user.email, **data)
        return self.answer(request)


class LogoView(BrandingWriteMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": LogoUploadSerializer}, responses=BrandingSerializer,
                   summary="Upload the logo")
    def put(self, request):
        """Replace the logo: checked, re-encoded as PNG and stored under the workspace's media folder."""
        data = validated(LogoUploadSerializer, request.data)
        services.branding_logo_set(organization=request.tenant, upload=data["logo"], actor_email=request.user.email)
        return self.answer(request)

    @extend_schema(request=None, responses=BrandingSerializer, summary="Remove the logo")
    def delete(self, request):
        """Go back to no logo."""
        services.branding_logo_remove(organization=request.tenant, actor_email=request.user.email)
        return self.answer(request)
