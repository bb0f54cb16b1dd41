"""``Authorization: Api-Key uk_…``: a workspace key, found only in the schema of the host it is sent to.

A key authenticates as the workspace (``KeyPrincipal``), not as a person, and only on views that say
``api_key_access = True`` (the data API). Every refusal is a JSON body with a ``code`` naming the
problem, 401 for a key that does not open this workspace, 403 for a good key used where it may not be,
and is audited (``apikeys.services.api_key_refusal_record``).
"""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import get_public_schema_name
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from apikeys import services
from apikeys.keys import key_matches, key_prefix
from apikeys.models import APIKey, Scope
from subscriptions import catalog
from subscriptions.limits import upgrade_url

KEYWORD = "api-key"
DATA_API = "/api/v1/plants, /api/v1/materials, /api/v1/work-orders and /api/v1/ncrs"
REFUSALS = {
    "api_key_malformed": (401, "The Authorization header must be \"Api-Key uk_<prefix>_<secret>\"; this is not a key."),
    "api_key_unknown": (401, "No API key of this workspace matches. A key works only on the workspace that made it."),
    "api_key_revoked": (401, "This API key was revoked. Make a new one in Settings → API keys."),
    "api_key_expired": (401, "This API key has expired. Make a new one in Settings → API keys."),
    "api_key_wrong_host": (401, "API keys work on their workspace's host (<workspace>.<domain>), not here."),
    "api_key_not_allowed": (403, f"API keys call the data API only ({DATA_API}). Keys are managed by an owner "
                                 "or admin signed in, never with a key."),
    "api_key_read_only": (403, "This API key's scope is read: it may call GET only. Writes need a write key."),
}


class KeyPrincipal:
    """``request.user`` of a call made with a key: the workspace, with the key's scope, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = is_superuser = False
    pk = id = None
    email = ""
    role = ""

    def __init__(self, key: APIKey):
        self.key = key
        self.can_configure = key.scope == Scope.WRITE

    def __str__(self) -> str:
        return services.actor_label(self.key)

    def get_full_name(self) -> str:
        return str(self)


def key_of(request) -> APIKey | None:
    """Return the key a request (DRF's or Django's) was authenticated with, or None.

    Reads the user already set, without making Django's lazy user look the session up.
    """
    user = request.__dict__.get("_user") or request.__dict__.get("user")
    return user.key if type(user) is KeyPrincipal else None


class APIKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.encode():
            return None
        raw = header[1].decode("latin-1") if len(header) == 2 else ""
        prefix = key_prefix(raw)
        tenant = getattr(request, "tenant", None)
        if tenant is None or connection.schema_name == get_public_schema_name():
            raise _refusal("api_key_wrong_host")
        if prefix is None:
            self._refuse(request, "api_key_malformed", None, "".join(c for c in raw[:12] if c.isprintable()))
        key = APIKey.objects.filter(prefix=prefix).first()
        if key is None or not key_matches(raw, key.hashed_key, schema_name=connection.schema_name):
            self._refuse(request, "api_key_unknown", None, prefix)
        state = key.state()
        if state != "active":
            self._refuse(request, f"api_key_{state}", key, prefix)
        view = (request.parser_context or {}).get("view")
        if not getattr(view, "api_key_access", False):
            self._refuse(request, "api_key_not_allowed", key, prefix)
        entitlements = request.entitlements
        if not entitlements.has("api_access"):
            self._refuse(request, "feature_not_in_plan", key, prefix, _plan_refusal(entitlements.tier))
        if request.method not in SAFE_METHODS and key.scope != Scope.WRITE:
            self._refuse(request, "api_key_read_only", key, prefix)
        services.api_key_use_record(key=key)
        return KeyPrincipal(key), key

    def authenticate_header(self, request):
        return 'Api-Key realm="api"'

    @staticmethod
    def _refuse(request, reason: str, key: APIKey | None, prefix: str, refusal=None):
        services.api_key_refusal_record(
            organization=request.tenant, reason=reason, key=key, prefix=prefix,
            address=BaseThrottle().get_ident(request), method=request.method, path=request.path)
        raise refusal or _refusal(reason)


def _refusal(reason: str) -> exceptions.APIException:
    status, detail = REFUSALS[reason]
    error = exceptions.AuthenticationFailed if status == 401 else exceptions.PermissionDenied
    return error({"code": reason, "detail": detail})


def _plan_refusal(tier_key: str) -> exceptions.APIException:
    plan = catalog.tier(tier_key).name if tier_key in catalog.TIERS else "current"
    lowest = catalog.lowest_tier_with("api_access").name
    return exceptions.PermissionDenied({
        "code": "feature_not_in_plan", "feature": "api_access", "plan": tier_key,
        "detail": f"Your {plan} plan does not include API access, so API keys are refused. {lowest} includes it.",
        "upgrade_url": upgrade_url()})


class APIKeyScheme(OpenApiAuthenticationExtension):
    """Describe the key in the OpenAPI schema, on the operations that take one (the data API)."""

    target_class = "apikeys.authentication.APIKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_requirement(self, auto_schema):
        return {self.name: []} if getattr(auto_schema.view, "api_key_access", False) else []

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "A workspace API key (Settings → API keys, Enterprise): `Authorization: Api-Key "
            "uk_<prefix>_<secret>`, on the workspace's own host. A read key calls GET; a write key every "
            "method. Rate limited per key (429 with Retry-After).",
        }
