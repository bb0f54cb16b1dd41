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


class StorageOverageReport(models.Model):
    """What we reported to Stripe's storage meter for one billing period of one subscription.

    ``peak_gb`` is the most GB over the limit any sweep measured in the period; ``reported_gb`` the
    figure Stripe's meter holds (it keeps the last value, so sending the same figure again changes nothing).
    """

    subscription = models.ForeignKey("subscriptions.Subscription", on_delete=models.CASCADE,
                                     related_name="storage_overage_reports")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField(null=True, blank=True)
    peak_gb = models.PositiveIntegerField(default=0)
    reported_gb = models.PositiveIntegerField(default=0)
    reported_at = models.DateTimeField(null=True, blank=True)
    identifier = models.CharField(max_length=100, blank=True)  # the last meter event's idempotency identifier

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscription", "period_start"],
                                               name="one_storage_report_per_period")]

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.period_start:%Y-%m-%d}: {self.reported_gb} GB over"
