from django.urls import path

from branding import api

urlpatterns = [
    path("branding", api.BrandingView.as_view(), name="branding"),
    path("branding/logo", api.LogoView.as_view(), name="branding_logo"),
]
