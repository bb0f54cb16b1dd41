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


def password_refused(request, user) -> bool:
    """Return whether ``user`` must sign in through SSO instead of a password (everyone but the owner)."""
    from accounts.models import Role

    provider = sso_active(request)
    return bool(provider and provider.require_sso and user.role != Role.OWNER)
