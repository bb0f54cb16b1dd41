"""A workspace's claim on a host of its own (``mes.yourcompany.com``), proved by a TXT record."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenants.models import Organization

CHALLENGE_LABEL = "_unison-challenge"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for the DNS record"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Not verified"


class CustomDomain(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="custom_domains")
    host = models.CharField(max_length=253)
    token = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=254, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["host"]
        constraints = [
            # A workspace claims a host once; only one workspace holds it verified. Pending claims of the
            # same host by several workspaces may coexist, so nobody can block a host by claiming it first.
            models.UniqueConstraint(fields=["organization", "host"], name="domains_one_claim_per_workspace"),
            models.UniqueConstraint(fields=["host"], condition=Q(status="verified"), name="domains_one_verified"),
        ]

    def __str__(self) -> str:
        return self.host

    @property
    def record_name(self) -> str:
        """Return the name of the TXT record that proves the claim, e.g. ``_unison-challenge.mes.yourcompany.com``."""
        return f"{CHALLENGE_LABEL}.{self.host}"
