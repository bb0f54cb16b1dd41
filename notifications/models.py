"""The notification log: one row per notice, which is also the outbox (public schema)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class NotificationLog(models.Model):
    """A notice to an organisation's owners; the unique key keeps each occasion to one notice."""

    organization = models.ForeignKey(
        "tenants.Organization", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    occasion = models.CharField(max_length=120, help_text="What this notice is about, e.g. 7d:2026-12-01.")
    context = models.JSONField(default=dict, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "occasion"], name="one_notice_per_occasion"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.occasion}) to {self.organization_id}: {self.status}"
