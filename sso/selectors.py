"""Reads of a workspace's single sign-on."""

from __future__ import annotations

from sso.models import IdentityProvider

FEATURE = "sso_saml"  # the catalog's Enterprise feature "SSO / SAML" covers OpenID Connect too


def identity_provider() -> IdentityProvider | None:
    """Return the current schema's identity provider row, or None before the first save."""
    return IdentityProvider.objects.filter(pk=1).first()


def sso_active(request) -> IdentityProvider | None:
    """Return the provider when people may sign in with it now: set up, switched on and in the plan."""
    provider = identity_provider()
    if provider is None or not provider.enabled or not request.entitlements.has(FEATURE):
        return None
    return provider


def password_refusal(request, user) -> str | None:
    """Return why ``user`` must sign in through SSO instead of a password (everyone but the owner), or None."""
    from accounts.models import Role

    if getattr(request, "tenant", None) is None:
        return None
    provider = sso_active(request)
    if provider and provider.require_sso and user.role != Role.OWNER:
        return f"{request.tenant.name} signs in through single sign-on: use “Sign in with SSO” instead of a password."
    return None


def sign_in_page_context(request) -> dict:
    """Return the sign-in page's SSO button (the provider when it is on and in the plan)."""
    return {"sso": sso_active(request) if getattr(request, "tenant", None) is not None else None}
