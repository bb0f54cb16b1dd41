"""Send, in this process, every notice still waiting in the outbox (no broker needed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.models import NotificationLog, NotificationStatus
from notifications.services import notifications_resend


class Command(BaseCommand):
    help = "Send the notices that are still queued (or failed with attempts left), oldest first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=60, help="Only notices queued at least this many seconds ago."
        )

    def handle(self, *args, older_than: int, **options):
        handled: list[int] = []

        def progress(index: int, total: int, log: NotificationLog) -> None:
            handled.append(log.pk)
            self.stdout.write(f"[{index}/{total}] {log.organization.slug} {log.kind} {log.occasion}")

        notifications_resend(older_than_seconds=older_than, directly=True, progress=progress)
        sent = NotificationLog.objects.filter(pk__in=handled, status=NotificationStatus.SENT).count()
        self.stdout.write(f"done: {len(handled)} waiting, {sent} sent, {len(handled) - sent} still waiting")
