from django.urls import path

from billing import api

urlpatterns = [
    path("billing/checkout", api.CheckoutView.as_view(), name="billing_checkout"),
    path("billing/plan", api.PlanView.as_view(), name="billing_plan"),
    path("billing/preview", api.PreviewView.as_view(), name="billing_preview"),
    path("billing/portal", api.PortalView.as_view(), name="billing_portal"),
    path("billing/storage-overage", api.StorageOverageView.as_view(), name="billing_storage_overage"),
    path("billing/tax-details", api.TaxDetailsView.as_view(), name="billing_tax_details"),
    path("billing/invoices", api.InvoiceListView.as_view(), name="billing_invoices"),
]
