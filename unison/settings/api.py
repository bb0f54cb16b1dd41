"""Django REST framework, JWT and OpenAPI."""

from __future__ import annotations

from datetime import timedelta

from unison.settings.auth import NUM_PROXIES
from unison.settings.env import env

REST_FRAMEWORK = {
    # JWT first: DRF takes the WWW-Authenticate header of the first class, and only with one
    # answers an anonymous call 401 (session authentication has none, so it would be 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TenantJWTAuthentication",
        # Before the session: a call that sends a key is judged by its key (and only the data API takes one).
        "apikeys.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Per API key (a no-op for every other caller); views with their own throttles keep theirs.
    "DEFAULT_THROTTLE_CLASSES": ["apikeys.throttling.APIKeyRateThrottle"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "unison.api_errors.exception_handler",
    # Per client address: "signup" counts workspaces created, "signup_attempt" every signup POST.
    "DEFAULT_THROTTLE_RATES": {
        "signup": "10/hour", "signup_attempt": "60/hour", "token": "20/minute",
        "api_key": env("API_KEY_RATE", default="600/minute"),
        # The workspace finder (marketing.throttles): per client address, and per e-mail asked about.
        "workspace_find": "20/hour", "workspace_find_email": "3/hour",
    },
    "NUM_PROXIES": NUM_PROXIES,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "USER_ID_CLAIM": "user_id",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Unison API",
    "DESCRIPTION": "Subscriptions, billing, shop floor and operator endpoints.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI (/api/docs/) and ReDoc (/api/redoc/) from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from swagger.io's online validator.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Several models have a "status"; give each choice set its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SubscriptionStatusEnum": "subscriptions.models.Status",
        "WorkOrderStatusEnum": "shopfloor.states.WorkOrderStatus",
        "NCRStatusEnum": "shopfloor.states.NCRStatus",
    },
}
