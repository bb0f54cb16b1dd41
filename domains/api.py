"""``/api/v1/domains``: a workspace's custom domains (owners signed in; claiming and verifying need Enterprise)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import OwnerSignedIn
from domains import selectors, services
from domains.serializers import CustomDomainCreateSerializer, CustomDomainSerializer
from shopfloor.api import ClosedBodySchema
from subscriptions.gates import SubscriptionWritable, has_feature
from unison.api_errors import validated


class DomainListView(APIView):
    parser_classes = [JSONParser]
    schema = ClosedBodySchema()

    def get_permissions(self):
        gate = [has_feature(selectors.FEATURE)(), SubscriptionWritable()] if self.request.method == "POST" else []
        return [OwnerSignedIn(), *gate]

    @extend_schema(responses=CustomDomainSerializer(many=True), summary="List the workspace's custom domains")
    def get(self, request):
        """List every host the workspace claimed, with its status and the DNS record that proves it."""
        return Response(
            CustomDomainSerializer(selectors.custom_domain_list(organization=request.tenant), many=True).data
        )

    @extend_schema(
        request=CustomDomainCreateSerializer,
        responses={201: CustomDomainSerializer},
        summary="Claim a custom domain (Enterprise)",
    )
    def post(self, request):
        """Claim a host; the answer holds the TXT record to create. A host another workspace serves is a 409."""
        data = validated(CustomDomainCreateSerializer, request.data)
        row = services.custom_domain_add(organization=request.tenant, actor_email=request.user.email, **data)
        return Response(CustomDomainSerializer(row).data, status=201)


class DomainDetailView(APIView):
    parser_classes = [JSONParser]
    schema = ClosedBodySchema()
    permission_classes = [OwnerSignedIn]

    @extend_schema(request=None, responses={204: None}, summary="Remove a custom domain")
    def delete(self, request, pk: int):
        """Stop serving the workspace on the host at once and drop the claim (on every plan)."""
        services.custom_domain_remove(organization=request.tenant, domain_id=pk, actor_email=request.user.email)
        return Response(status=204)


class DomainVerifyView(APIView):
    parser_classes = [JSONParser]
    schema = ClosedBodySchema()

    def get_permissions(self):
        return [OwnerSignedIn(), has_feature(selectors.FEATURE)(), SubscriptionWritable()]

    @extend_schema(request=None, responses=CustomDomainSerializer, summary="Verify a custom domain now (Enterprise)")
    def post(self, request, pk: int):
        """Look the TXT record up now: ``verified`` serves the workspace there; ``failed`` says why in last_error."""
        row = services.custom_domain_verify(organization=request.tenant, domain_id=pk, actor_email=request.user.email)
        return Response(CustomDomainSerializer(row).data)
