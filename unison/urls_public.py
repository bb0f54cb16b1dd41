"""URLs of the public host: marketing, signup, the operator console and Stripe's webhooks."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from billing.webhooks import StripeWebhookView

urlpatterns = [
    path("admin/", include("platform_admin.urls")),
    # Ours first, on dj-stripe's path: verify and store, and a worker applies the event.
    path("stripe/webhook/<uuid:uuid>/", StripeWebhookView.as_view(), name="stripe_webhook"),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("api/v1/admin/", include("platform_admin.api_urls")),
    path("api/v1/", include("marketing.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="unison.urls_public"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
    path("", include("marketing.urls")),
]
