"""Tenant billing API: open Checkout or the Portal, list invoices."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors, services
from billing.gateway import BillingError, BillingUnavailable
from subscriptions import catalog


class CanConfigureBilling(BasePermission):
    """Owners and admins may start payments; members may only read."""

    message = {"code": "owner_or_admin_only", "detail": "Only owners and admins can change billing."}

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_configure)


def billing_error_response(error: BillingError) -> Response:
    """Return the JSON answer for a Stripe failure: 503 to retry later, 409 or 400 otherwise."""
    if isinstance(error, BillingUnavailable):
        code = status.HTTP_503_SERVICE_UNAVAILABLE
    elif isinstance(error, services.SubscriptionExists):
        code = status.HTTP_409_CONFLICT
    else:
        code = status.HTTP_400_BAD_REQUEST
    return Response({"code": error.code, "detail": error.detail}, status=code)


def billing_page_url(request, outcome: str) -> str:
    return request.build_absolute_uri(reverse("billing:page")) + f"?checkout={outcome}"


class CheckoutSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES))
    add_ons = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False, default=dict)


class UrlSerializer(serializers.Serializer):
    url = serializers.URLField()


class CheckoutView(APIView):
    """Open a Stripe Checkout session for a plan; a trialing organisation keeps its trial days."""

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=CheckoutSerializer, responses=UrlSerializer)
    def post(self, request):
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            url = services.billing_checkout_start(
                organization=request.tenant, **serializer.validated_data,
                success_url=billing_page_url(request, "success"), cancel_url=billing_page_url(request, "cancelled"),
            )
        except BillingError as error:
            return billing_error_response(error)
        return Response({"url": url})


class PortalView(APIView):
    """Open the Stripe Billing Portal (payment method, invoices, cancellation)."""

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=None, responses=UrlSerializer)
    def post(self, request):
        try:
            url = services.billing_portal_open(
                organization=request.tenant, return_url=request.build_absolute_uri(reverse("billing:page"))
            )
        except BillingError as error:
            return billing_error_response(error)
        return Response({"url": url})


class InvoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    amount_cents = serializers.IntegerField()
    currency = serializers.CharField()
    status = serializers.CharField()
    period_start = serializers.DateTimeField(allow_null=True)
    period_end = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.CharField()
    hosted_url = serializers.CharField()


class InvoicePagination(PageNumberPagination):
    page_size = 10

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ValidationError({"page": [str(error.detail)]}) from error


class InvoiceListView(ListAPIView):
    """List this organisation's invoices, newest first, ten to a page (``?page=N``)."""

    serializer_class = InvoiceSerializer
    pagination_class = InvoicePagination

    def get_queryset(self):
        return selectors.invoices_for(self.request.tenant)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return [selectors.invoice_summary(invoice) for invoice in page]
