"""URLs of a tenant host (``<slug>.<base domain>``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("subscription/", include("subscriptions.urls")),
    path("billing/", include("billing.urls")),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("subscriptions.api_urls")),
    path("api/v1/", include("billing.api_urls")),
    path("api/v1/", include("shopfloor.api_urls")),
    path("api/v1/", include("exports.api_urls")),
    path("api/v1/", include("apikeys.api_urls")),
    path("api/v1/", include("branding.api_urls")),
    path("api/v1/", include("domains.api_urls")),
    path("settings/export/", include("exports.urls")),
    path("settings/api-keys/", include("apikeys.urls")),
    path("settings/domains/", include("domains.urls")),
    path("api/v1/", include("deletion.api_urls")),
    path("settings/delete/", include("deletion.urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="unison.urls_tenant"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
    path("", include("branding.urls")),
    path("", include("sso.urls")),
    path("", include("shopfloor.urls")),
]
