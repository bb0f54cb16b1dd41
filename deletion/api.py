"""``/api/v1/deletion``: GET the status, POST to ask for the workspace's deletion, DELETE to undo it. Owners only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from deletion import services
from deletion.serializers import DeletionRequestSerializer, DeletionStatusSerializer
from shopfloor.api import ClosedBodySchema
from unison.api_errors import validated


class OwnerSignedIn(BasePermission):
    message = {"code": "role_not_allowed", "detail": services.NOT_OWNER}

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "pk", None) and user.role == "owner")


def _status(organization) -> dict:
    return DeletionStatusSerializer({**vars(organization), "pending": organization.deletion_pending}).data


class DeletionView(APIView):
    permission_classes = [OwnerSignedIn]
    parser_classes = [JSONParser]
    schema = ClosedBodySchema()

    @extend_schema(responses=DeletionStatusSerializer, summary="Whether the workspace is being deleted, and when")
    def get(self, request):
        """Return the pending deletion, if any: when it was asked for, by whom, and when it happens."""
        return Response(_status(request.tenant))

    @extend_schema(
        request=DeletionRequestSerializer,
        responses={202: DeletionStatusSerializer},
        summary="Ask for the workspace's deletion (30 days read-only, then gone)",
    )
    def post(self, request):
        """Ask for deletion: read-only at once, deleted for good after 30 days unless undone. ``confirm_name`` must
        be the workspace's name exactly (400 naming it otherwise); 409 when a deletion is already pending."""
        data = validated(DeletionRequestSerializer, request.data)
        organization = services.deletion_request(organization=request.tenant, user=request.user, **data)
        return Response(_status(organization), status=202)

    @extend_schema(request=None, responses=DeletionStatusSerializer, summary="Undo the pending deletion")
    def delete(self, request):
        """Take the pending deletion back during the grace period; 409 when none is pending."""
        return Response(_status(services.deletion_undo(organization=request.tenant, user=request.user)))
