"""Workspace API keys, in each tenant's own schema: a key is found only on its workspace's host."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Read and write"


class APIKey(models.Model):
    """A key of the workspace: its prefix identifies it, only a hash of the whole key is kept.

    The key acts as the workspace, not as a person: ``read`` keys call GET, HEAD and OPTIONS of the data
    API, ``write`` keys everything the data API lets owners and admins do.
    """

    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.CharField(max_length=254, editable=False, help_text="The e-mail of who made it.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="None: it does not expire.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.CharField(max_length=254, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"API key {self.name}"

    def state(self, now: datetime | None = None) -> str:
        """Return "revoked", "expired" or "active"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"

    @property
    def display(self) -> str:
        """Return what identifies the key without revealing it: ``uk_<prefix>_…``."""
        return f"uk_{self.prefix}_…"
