"""Reads for notifications: who receives a notice, and which notices still wait to go out."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications.models import NotificationLog, NotificationStatus

# A notice that failed this many times stays failed until an operator looks at it.
MAX_ATTEMPTS = 5


def owner_emails(organization) -> list[str]:
    """Return the e-mail addresses of the organisation's active owners, read in its own schema.

    Fall back to the organisation's contact address when it has no active owner.
    """
    from accounts.models import Role, User

    with schema_context(organization.schema_name):
        emails = list(
            User.objects.filter(role=Role.OWNER, is_active=True).order_by("email").values_list("email", flat=True)
        )
    return emails or [organization.email]


def notifications_waiting(*, older_than_seconds: int = 60) -> QuerySet[NotificationLog]:
    """Return notices still queued (or failed, with attempts left) that are older than the given age."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return (
        NotificationLog.objects.filter(created_at__lte=cutoff)
        .filter(
            Q(status=NotificationStatus.QUEUED)
            | Q(status=NotificationStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        )
        .select_related("organization")
        .order_by("created_at", "id")
    )
