"""Manage the workspace's API keys: ``/api/v1/api-keys`` (owners and admins signed in, never with a key)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import OwnerOrAdminSignedIn
from apikeys import selectors, services
from apikeys.serializers import APIKeyCreatedSerializer, APIKeyCreateSerializer, APIKeySerializer
from shopfloor.api import ClosedBodySchema
from subscriptions.gates import has_feature
from unison.api_errors import validated


class APIKeyListView(APIView):
    permission_classes = [OwnerOrAdminSignedIn]
    parser_classes = [JSONParser]  # a JSON body only: a form's blank fields are not "no expiry"
    schema = ClosedBodySchema()  # the schema says what validated() does: an unknown field is refused

    def get_permissions(self):
        gate = [has_feature("api_access")()] if self.request.method == "POST" else []
        return [*super().get_permissions(), *gate]

    @extend_schema(responses=APIKeySerializer(many=True), summary="List the workspace's API keys")
    def get(self, request):
        """List every key of the workspace, revoked and expired ones too (never the keys themselves)."""
        return Response(APIKeySerializer(selectors.api_key_list(), many=True).data)

    @extend_schema(request=APIKeyCreateSerializer, responses={201: APIKeyCreatedSerializer},
                   summary="Make an API key (Enterprise)")
    def post(self, request):
        """Make a key with a name, a scope and an optional expiry; the answer holds the key, shown this once."""
        data = validated(APIKeyCreateSerializer, request.data)
        key, raw = services.api_key_create(organization=request.tenant, actor_email=request.user.email, **data)
        key.key = raw
        return Response(APIKeyCreatedSerializer(key).data, status=201)


class APIKeyRevokeView(APIView):
    parser_classes = [JSONParser]
    schema = ClosedBodySchema()
    permission_classes = [OwnerOrAdminSignedIn]

    @extend_schema(request=None, responses=APIKeySerializer, summary="Revoke an API key")
    def post(self, request, pk: int):
        """Revoke the key at once: its next call is refused (401 ``api_key_revoked``). Revoking twice is fine."""
        key = services.api_key_revoke(organization=request.tenant, key_id=pk, actor_email=request.user.email)
        return Response(APIKeySerializer(key).data)
