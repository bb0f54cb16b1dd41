"""A workspace's white labelling, in its own schema: one row, made on first change."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Branding(models.Model):
    """The logo (a re-encoded PNG under MEDIA_ROOT/tenants/<schema>/branding/), accent colour and sender name."""

    accent_colour = models.CharField(max_length=7, blank=True, help_text="#rrggbb; blank: Unison's blue.")
    email_sender_name = models.CharField(max_length=60, blank=True)
    logo_name = models.CharField(max_length=80, blank=True, editable=False, help_text="File name in the folder.")
    logo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.CharField(max_length=254, blank=True, editable=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="branding_one_row")]

    def __str__(self) -> str:
        return "Branding"
