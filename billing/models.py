"""What happened to each Stripe event we handled, for operators (public schema)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WebhookOutcome(models.Model):
    """One row per Stripe event our handlers saw: which organisation it touched and what it did."""

    class Result(models.TextChoices):
        APPLIED = "applied", "Applied"
        UNCHANGED = "unchanged", "Nothing to change"
        IGNORED = "ignored", "Ignored"
        UNKNOWN_CUSTOMER = "unknown_customer", "Unknown customer"

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100, db_index=True)
    organization = models.ForeignKey(
        "tenants.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_outcomes"
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    result = models.CharField(max_length=20, choices=Result.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}: {self.result}"
