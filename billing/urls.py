from django.urls import path

from billing import views

app_name = "billing"
urlpatterns = [
    path("", views.billing_page, name="page"),
    path("plan/", views.billing_choose_plan, name="choose_plan"),
    path("cancel/", views.billing_cancel, name="cancel"),
    path("resume/", views.billing_resume, name="resume"),
    path("portal/", views.billing_portal, name="portal"),
    path("storage-overage/", views.billing_storage_overage, name="storage_overage"),
    path("tax-details/", views.billing_tax_details, name="tax_details"),
]
