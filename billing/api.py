"""Tenant billing API: choose or change the plan (one path), preview it, Checkout, the Portal, invoices,
the billing address and tax ID.

Refusals are ``ApplicationError``s (a 402 with ``checkout_url`` where payment is needed, 409 for a
conflict, 503 when Stripe cannot be used) or field errors (400), turned into JSON by
``unison.api_errors.exception_handler``.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import selectors, services
from billing.services.coupons import CODE_PATTERN
from billing.tax_ids import COUNTRIES
from subscriptions import catalog
from unison.api_errors import validated


class CanConfigureBilling(BasePermission):
    """Owners and admins may start payments; members may only read."""

    message = {"code": "owner_or_admin_only", "detail": "Only owners and admins can change billing."}

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_configure)


def billing_page_url(request) -> str:
    return request.build_absolute_uri(reverse("billing:page"))


class PlanSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=list(catalog.TIERS))
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES), required=False,
                                            help_text="today's cycle when left out")
    add_ons = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False,
                                    help_text="add-on quantities by kind; today's add-ons when left out")
    promotion_code = serializers.RegexField(
        CODE_PATTERN, required=False, help_text="a promotion code to redeem (any case); refused with 400 "
        "(`promotion_code_unknown`, `promotion_code_not_for_plan`) or 409 (`promotion_code_expired`, "
        "`promotion_code_used_up`), naming `promotion_code`")
    currency = serializers.ChoiceField(
        choices=list(catalog.CURRENCIES), required=False,
        error_messages={"invalid_choice": "Unknown currency \"{input}\": choose one of "
                                          + ", ".join(catalog.CURRENCIES) + "."},
        help_text="the prices' currency; the workspace's when left out. It is fixed at the first checkout: "
                  "another one after that is a 409 (code currency_fixed)")


class CheckoutSerializer(PlanSerializer):
    billing_cycle = serializers.ChoiceField(choices=list(catalog.BILLING_CYCLES))


class UrlSerializer(serializers.Serializer):
    url = serializers.URLField()


class PlanChangeSerializer(serializers.Serializer):
    when = serializers.ChoiceField(choices=["now", "at_period_end", "unchanged", "undone"])
    detail = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    when = serializers.ChoiceField(choices=["checkout", "now", "at_period_end", "unchanged"])
    tier = serializers.CharField()
    billing_cycle = serializers.CharField()
    add_ons = serializers.DictField(child=serializers.IntegerField())
    due_today_cents = serializers.IntegerField(help_text="what is charged today (prorated for an upgrade)")
    recurring_cents = serializers.IntegerField(help_text="the price of each period from ``starts_at``")
    interval = serializers.CharField()
    currency = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    promotion_code = serializers.CharField(help_text="the code applied (upper-case), blank without one")
    discount_terms = serializers.CharField(help_text="the code's discount in words, blank without one")
    discount_cents = serializers.IntegerField(help_text="what the code takes off a period's price")
    recurring_after_discount_cents = serializers.IntegerField()
    tax_cents = serializers.IntegerField(default=0, help_text="Stripe Tax on what is charged today (included in "
                                                              "``due_today_cents``); 0 before the billing address is known")
    tax_label = serializers.CharField(default="", help_text='the tax and its rate, like "GST 18 %"; empty without tax')


PAYMENT_REFUSALS = {
    400: OpenApiResponse(description="Bad input: the body names each field that is wrong."),
    402: OpenApiResponse(description="Payment needed first: `checkout_url` is the Stripe Checkout to finish, or "
                                     "the card was declined."),
    409: OpenApiResponse(description="A checkout for another plan is open, a subscription exists, a payment "
                                     "is past due, the promotion code has expired or is used up, or the workspace "
                                     "pays in another currency."),
    503: OpenApiResponse(description="Stripe cannot be reached or is misconfigured; nothing changed."),
}


class CheckoutView(APIView):
    """Open (or reuse) the Stripe Checkout session for a plan; a trial keeps its days for plans up to its tier."""

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=CheckoutSerializer, responses={200: UrlSerializer, **PAYMENT_REFUSALS})
    def post(self, request):
        data = validated(CheckoutSerializer, request.data)
        page = billing_page_url(request)
        url = services.billing_checkout_start(organization=request.tenant, **data,
                                              success_url=f"{page}?checkout=success",
                                              cancel_url=f"{page}?checkout=cancelled")
        return Response({"url": url})


class PlanView(APIView):
    """Choose or change the plan: tier, cycle and add-ons in one call, through Stripe.

    Without a Stripe subscription yet the answer is 402 with the `checkout_url` to pay at.
    Upgrades apply now (prorated, charged at once); downgrades, cycle changes and fewer add-ons at
    the end of the paid period; the current plan again undoes a pending change.
    """

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=PlanSerializer, responses={200: PlanChangeSerializer, **PAYMENT_REFUSALS})
    def post(self, request):
        data = validated(PlanSerializer, request.data)
        change = services.billing_plan_change(organization=request.tenant, actor=request.user.email,
                                              return_url=billing_page_url(request), **data)
        return Response({"when": change.when, "detail": change.detail})


class PreviewView(APIView):
    """Show what a plan costs today and from when, before choosing it (amounts from Stripe)."""

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=PlanSerializer, responses={200: PreviewSerializer, **PAYMENT_REFUSALS})
    def post(self, request):
        data = validated(PlanSerializer, request.data)
        return Response(PreviewSerializer(services.billing_plan_preview(organization=request.tenant, **data)).data)


class PortalView(APIView):
    """Open the Stripe Billing Portal (payment method, invoices, cancellation)."""

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=None, responses={200: UrlSerializer, 503: PAYMENT_REFUSALS[503]})
    def post(self, request):
        url = services.billing_portal_open(organization=request.tenant, return_url=billing_page_url(request))
        return Response({"url": url})


class InvoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    amount_cents = serializers.IntegerField()
    tax_cents = serializers.IntegerField(help_text="the tax included in ``amount_cents``")
    currency = serializers.CharField()
    status = serializers.CharField()
    period_start = serializers.DateTimeField(allow_null=True)
    period_end = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.CharField()
    hosted_url = serializers.CharField()
    discount_cents = serializers.IntegerField(help_text="what discounts took off the invoice")


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


class StorageOverageSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="the owner's choice: bill storage past the limit by use")
    active = serializers.BooleanField(read_only=True, help_text="uploads past the limit are allowed now")
    available = serializers.BooleanField(read_only=True)
    refusal = serializers.CharField(read_only=True, help_text="why it cannot be turned on now (blank if it can)")
    limit_gb = serializers.IntegerField(read_only=True, allow_null=True)
    used_gb = serializers.FloatField(read_only=True)
    gb_over_now = serializers.IntegerField(read_only=True)
    peak_gb = serializers.IntegerField(read_only=True, help_text="the period's peak over the limit, as billed")
    cents_per_gb_month = serializers.IntegerField(read_only=True)
    accrued_cents = serializers.IntegerField(read_only=True)
    currency = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    period_end = serializers.DateTimeField(read_only=True, allow_null=True)


class StorageOverageChangeSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class StorageOverageView(APIView):
    """Storage overage: read it (anyone in the workspace); owners and admins turn it on or off.

    On needs a paid, active monthly plan with a storage limit (402 otherwise, naming `enabled`); it adds
    the metered price to the Stripe subscription. Off restores the hard limit at once; what the period has
    accrued is still billed at its end.
    """

    def get_permissions(self):
        return [IsAuthenticated(), *([CanConfigureBilling()] if self.request.method != "GET" else [])]

    @extend_schema(responses={200: StorageOverageSerializer})
    def get(self, request):
        return Response(StorageOverageSerializer(selectors.storage_overage(request.tenant)).data)

    @extend_schema(request=StorageOverageChangeSerializer,
                   responses={200: StorageOverageSerializer, 400: PAYMENT_REFUSALS[400],
                              402: OpenApiResponse(description="Not available now: the body says why."),
                              503: PAYMENT_REFUSALS[503]})
    def post(self, request):
        data = validated(StorageOverageChangeSerializer, request.data)
        services.billing_storage_overage_set(organization=request.tenant, enabled=data["enabled"],
                                             actor=request.user.email)
        return Response(StorageOverageSerializer(selectors.storage_overage(request.tenant)).data)


class TaxDetailsSerializer(serializers.Serializer):
    country = serializers.ChoiceField(choices=list(COUNTRIES), help_text="ISO code of the billing country")
    line1 = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=200)
    tax_id = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="",
        help_text="IN: a GSTIN (15 characters, like 27AAPFU0939F1ZV); EU countries: a VAT number (the country "
                  "code, then 8 to 12 letters or digits, like DE123456789); empty: none. A wrong one is a 400 "
                  "naming `tax_id`, and nothing changes in Stripe.")


class TaxIdSerializer(serializers.Serializer):
    type = serializers.CharField()
    value = serializers.CharField()


class TaxDetailsAnswerSerializer(serializers.Serializer):
    address = serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True))
    tax_ids = TaxIdSerializer(many=True)


class TaxDetailsView(APIView):
    """Set the billing address and tax ID Stripe Tax bills by (owners and admins); answer what Stripe has."""

    permission_classes = [IsAuthenticated, CanConfigureBilling]

    @extend_schema(request=TaxDetailsSerializer, responses={200: TaxDetailsAnswerSerializer,
                                                            400: PAYMENT_REFUSALS[400], 503: PAYMENT_REFUSALS[503]})
    def post(self, request):
        data = validated(TaxDetailsSerializer, request.data)
        details = services.billing_tax_details_set(organization=request.tenant, **data)
        return Response(TaxDetailsAnswerSerializer(details).data)
