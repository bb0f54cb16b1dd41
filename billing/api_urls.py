from django.urls import path

from billing import api

urlpatterns = [
    path("billing/checkout", api.CheckoutView.as_view(), name="billing_checkout"),
    path("billing/portal", api.PortalView.as_view(), name="billing_portal"),
    path("billing/invoices", api.InvoiceListView.as_view(), name="billing_invoices"),
]
