"""A workspace's data exports (tenant schema): one row per export asked for, its progress and its file."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.utils import timezone


class Export(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    # Names the file (exports/<uuid>.zip) so a file name says nothing about how many exports there were.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the tables written.")
    file_name = models.CharField(max_length=200, blank=True, help_text="Relative to the tenant's media folder.")
    size_bytes = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One export at a time per workspace: a second insert while one is queued or running fails.
            # Written with OR, not IN: PostgreSQL prints an IN list back in a form that reads differently
            # once re-created, and tenants.template clones indexes from their printed definition.
            models.UniqueConstraint(Value(1), condition=Q(status="queued") | Q(status="running"),
                                    name="one_export_in_progress"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"

    @property
    def is_in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file_name)
