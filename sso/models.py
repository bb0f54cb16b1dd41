"""A workspace's single sign-on, in its own schema: one identity provider, and the SAML assertions used."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Protocol(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class IdentityProvider(models.Model):
    """Where this workspace's people sign in (one row, made on first save).

    The OIDC client secret is kept sealed (``sso.sealing``) and never shown back.
    """

    protocol = models.CharField(max_length=4, choices=Protocol.choices, default=Protocol.OIDC)
    enabled = models.BooleanField(default=False)
    require_sso = models.BooleanField(default=False)
    role_claim = models.CharField(max_length=100, blank=True)
    role_mapping = models.JSONField(default=dict, blank=True)  # claim value -> "admin" | "member"
    # OpenID Connect
    issuer = models.URLField(blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    client_secret_sealed = models.TextField(blank=True, editable=False)
    # SAML 2.0: the IdP's metadata as uploaded or fetched at save, and what was read from it
    idp_metadata_url = models.URLField(blank=True)
    idp_metadata_xml = models.TextField(blank=True)
    idp_entity_id = models.CharField(max_length=1024, blank=True)
    idp_sso_url = models.URLField(max_length=1024, blank=True)
    idp_cert = models.TextField(blank=True)  # PEM, or base64 DER as metadata carries it
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.CharField(max_length=254, blank=True, editable=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="identity_provider_one_row")]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} sign-in"


class UsedAssertion(models.Model):
    """A SAML assertion already signed in with: the same one again is a replay until it expires."""

    assertion_id = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)
