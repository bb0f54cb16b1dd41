"""What the SSO views do between a request and the protocol modules: start, identify, sign in, test."""

from __future__ import annotations

from django.contrib.auth import login
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.two_factor import two_factor_enabled
from accounts.two_factor_flow import STATE_KEY, VERIFIED, pending_begin
from sso import oidc
from sso.errors import SsoRefused
from sso.models import IdentityProvider, Protocol
from sso.sealing import unseal
from tenants.hosts import origin

BACKEND = "django.contrib.auth.backends.ModelBackend"


def sp_urls(request) -> dict[str, str]:
    """Return the absolute URLs an identity provider is given: OIDC redirect URI, SAML entity id and ACS."""
    base = origin(request.tenant.host)
    return {
        "redirect_uri": base + reverse("sso:oidc_callback"),
        "entity_id": base + reverse("sso:saml_metadata"),
        "acs": base + reverse("sso:saml_acs"),
    }


def form_initial(row: IdentityProvider | None) -> dict:
    if row is None:
        return {"protocol": Protocol.OIDC}
    mapping = "\n".join(f"{value} = {role}" for value, role in row.role_mapping.items())
    return {
        "protocol": row.protocol,
        "enabled": row.enabled,
        "require_sso": row.require_sso,
        "issuer": row.issuer,
        "client_id": row.client_id,
        "idp_metadata_url": row.idp_metadata_url,
        "role_claim": row.role_claim,
        "role_mapping": mapping,
    }


def _next(request, url: str) -> str:
    ok = url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if ok else "/"


def start(request, provider: IdentityProvider) -> str:
    """Return the identity provider's URL to send the browser to, remembering the flow in the session."""
    next_url = _next(request, request.GET.get("next", ""))
    if provider.protocol == Protocol.OIDC:
        return oidc.authorization_url(
            request, provider, redirect_uri=sp_urls(request)["redirect_uri"], next_url=next_url
        )
    from sso import saml

    return saml.login_url(request, provider, urls=sp_urls(request), next_url=next_url)


def oidc_identity(request, provider: IdentityProvider) -> tuple[str, str, dict, str]:
    """Return (e-mail, name, claims, next URL) from the provider's callback; raise SsoRefused otherwise."""
    if request.GET.get("error"):
        request.session.pop(oidc.SESSION_KEY, None)
        detail = request.GET.get("error_description") or request.GET["error"]
        raise SsoRefused(f"The identity provider refused the sign-in: {detail[:200]}", code="provider_error")
    flow = oidc.flow_take(request, request.GET.get("state", ""))
    code = request.GET.get("code", "")
    if not code:
        raise SsoRefused("The identity provider's answer has no authorization code.", code="no_code")
    claims = oidc.claims_from_code(
        provider,
        client_secret=unseal(provider.client_secret_sealed),
        code=code,
        flow=flow,
        redirect_uri=sp_urls(request)["redirect_uri"],
    )
    if claims.get("email_verified") is False:
        raise SsoRefused(
            "The identity provider has not verified this person's e-mail address.", code="email_unverified"
        )
    return str(claims.get("email", "")), str(claims.get("name", "")), claims, flow.get("next") or "/"


def saml_identity(request, provider: IdentityProvider) -> tuple[str, str, dict, str]:
    from sso import saml

    return saml.identity(request, provider, urls=sp_urls(request))


def sp_metadata(request) -> str:
    from sso import saml

    return saml.sp_metadata(sp_urls(request))


def sign_in(request, user, next_url: str) -> str:
    """Sign ``user`` in (the provider vouched for them); return where to go. A local authenticator still asks."""
    next_url = _next(request, next_url)
    if two_factor_enabled(user):
        pending_begin(request, user, backend=BACKEND, next_url=next_url)
        return reverse("accounts:two_factor")
    login(request, user, backend=BACKEND)
    request.session[STATE_KEY] = VERIFIED  # the identity provider is the workspace's second factor
    return next_url


def connection_test(request, row: IdentityProvider) -> dict:
    """Return {"ok": bool, "message": str} after reading the saved provider's discovery (or metadata)."""
    try:
        if row.protocol == Protocol.OIDC:
            if not row.issuer:
                raise SsoRefused("No issuer is saved yet.")
            config = oidc.discovery(row.issuer)
            keys = oidc.jwks_count(config["jwks_uri"])
            return {
                "ok": True,
                "message": f"Reached {row.issuer}: discovery document read, its key set holds "
                f"{keys} key{'s' if keys != 1 else ''}.",
            }
        from sso import saml

        return {"ok": True, "message": saml.connection_test(row, urls=sp_urls(request))}
    except SsoRefused as exc:
        return {"ok": False, "message": exc.message}
