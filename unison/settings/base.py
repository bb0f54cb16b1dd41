"""Settings shared by every environment; integrations live in sibling modules."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from unison.settings.env import BASE_DIR, DEBUG, env

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET if DEBUG else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")

UNISON_BASE_DOMAIN = env("UNISON_BASE_DOMAIN", default="localhost")
# Scheme and port used when we build absolute links to a tenant host.
UNISON_SCHEME = env("UNISON_SCHEME", default="http" if DEBUG else "https")
UNISON_PORT = env("UNISON_PORT", default="8000" if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[UNISON_BASE_DOMAIN, f".{UNISON_BASE_DOMAIN}"])

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/unison")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# "transaction" when DATABASE_URL is a pooler in transaction mode (PgBouncer, the production set-up):
# each statement then carries its tenant's search path, never the session (unison/pooled_postgresql).
DATABASE_POOLING = env("DATABASE_POOLING", default="")
if DATABASE_POOLING == "transaction":
    DATABASES["default"]["ENGINE"] = "unison.pooled_postgresql"
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True  # a cursor would not outlive its transaction
elif DATABASE_POOLING:
    raise ImproperlyConfigured(f"DATABASE_POOLING must be empty or 'transaction', not {DATABASE_POOLING!r}.")
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)

SHARED_APPS = [
    "django_tenants",
    "unfold.apps.BasicAppConfig",  # the console site replaces admin.site (platform_admin)
    "unfold.contrib.filters",
    "tenants",
    "domains",  # custom domains of workspaces (public: the host → workspace map reads them)
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "platform_admin.apps.ConsoleAdminConfig",  # django.contrib.admin with the console as its site
    "django.contrib.sitemaps",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files
    "axes",
    "djstripe",
    "django_celery_beat",
    "subscriptions",
    "billing",
    "marketing",
    "platform_admin",
    "notifications",
    "deletion",
    "unison",  # the design system's template tags (unison/templatetags/ui.py)
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "accounts",
    "axes",
    "shopfloor",
    "exports",
    "apikeys",
    "branding",
    "sso",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Organization"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# One SET search_path per connection and schema, not one per query; django-tenants issues it again
# after a rollback (which undoes it) and whenever the schema changes.
TENANT_LIMIT_SET_CALLS = True
# New tenant schemas are cloned from this migrated template (see tenants/template.py).
UNISON_TEMPLATE_SCHEMA = "tenant_template"
PUBLIC_SCHEMA_URLCONF = "unison.urls_public"
ROOT_URLCONF = "unison.urls_tenant"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

MIDDLEWARE = [
    "tenants.middleware.TenantMiddleware",
    "unison.request_id.RequestIdMiddleware",  # X-Request-ID; tags log lines with it and the schema
    "django.middleware.security.SecurityMiddleware",
    "unison.security_headers.SecurityHeadersMiddleware",  # Content-Security-Policy and Permissions-Policy
    "unison.nul_bytes.NulByteMiddleware",  # a NUL in the path, query or form fields is a 400, not a database error
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "accounts.middleware.TwoFactorMiddleware",  # a workspace session without its code is signed out or sent to set it up
    "platform_admin.middleware.ConsoleIdleMiddleware",  # operators signed out after CONSOLE_IDLE_MINUTES idle
    "subscriptions.middleware.EntitlementsMiddleware",
    "domains.middleware.CustomHostPlanMiddleware",  # a custom host serves only while the plan includes it
    "platform_admin.middleware.ImpersonationMiddleware",  # after auth: ends impersonations on time, audits writes
    "apikeys.middleware.APIKeyWriteAuditMiddleware",  # audits each write made with an API key
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.unison",
                "branding.context_processors.branding",  # the workspace's logo and accent on its pages
            ],
        },
    },
]

WSGI_APPLICATION = "unison.wsgi.application"
ASGI_APPLICATION = "unison.asgi.application"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# One date format everywhere (unison/formats/en/formats.py); templates use it through {% load dates %}.
FORMAT_MODULE_PATH = ["unison.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Production shares one cache between every process (subscriptions.W001); development keeps it in memory.
# Django's Redis cache is always swapped for ours, which reads an unreachable Redis as a miss (unison/cache.py).
_REDIS_CACHE = "unison.cache.FailSafeRedisCache"
_cache_backend = env("CACHE_BACKEND", default="") or (
    "django.core.cache.backends.locmem.LocMemCache" if DEBUG else _REDIS_CACHE)
if _cache_backend == "django.core.cache.backends.redis.RedisCache":
    _cache_backend = _REDIS_CACHE
CACHES = {
    "default": {
        "BACKEND": _cache_backend,
        "LOCATION": env("CACHE_LOCATION", default=REDIS_URL if _cache_backend == _REDIS_CACHE else "unison"),
        # Every key starts with the prefix, then the schema name, so tenants never share an entry and the
        # cache keeps to its own keys in a Redis db it shares with the broker (clear() deletes only those).
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cache"),
        "KEY_FUNCTION": "unison.cache.make_key",
        "REVERSE_KEY_FUNCTION": "unison.cache.reverse_key",
    }
}

# Sessions and CSRF cookies stay on the host that set them: never shared across tenants.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"{UNISON_SCHEME}://{UNISON_BASE_DOMAIN}:{UNISON_PORT}", f"{UNISON_SCHEME}://*.{UNISON_BASE_DOMAIN}:{UNISON_PORT}"]
    if UNISON_PORT
    else [f"{UNISON_SCHEME}://{UNISON_BASE_DOMAIN}", f"{UNISON_SCHEME}://*.{UNISON_BASE_DOMAIN}"],
)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGIN_TOKEN_MAX_AGE = 120  # seconds

from unison.settings.api import *  # noqa: E402,F403
from unison.settings.auth import *  # noqa: E402,F403
from unison.settings.celery import *  # noqa: E402,F403
from unison.settings.console import *  # noqa: E402,F403
from unison.settings.domains import *  # noqa: E402,F403
from unison.settings.email import *  # noqa: E402,F403
from unison.settings.logging import *  # noqa: E402,F403
from unison.settings.security import *  # noqa: E402,F403
from unison.settings.storage import *  # noqa: E402,F403
from unison.settings.stripe import *  # noqa: E402,F403
