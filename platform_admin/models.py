"""The operators' audit log: one row per action that changed a customer; never updated, never deleted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Who did what to which customer, when, and with what details.

    ``organization_id`` is a plain integer, not a foreign key: deleting an
    organisation must never delete (or be blocked by) its audit trail. The
    database refuses UPDATE and DELETE on this table (migration 0002).
    """

    actor_id = models.BigIntegerField(null=True, blank=True, help_text="The operator's id in the public schema.")
    actor_email = models.CharField(max_length=254)
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=200, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.target_type} {self.target_label or self.target_id}"
