"""Measure every organisation's usage now, with progress, then send the usage alerts."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from subscriptions.lifecycle import USAGE_BATCH, usage_alerts_send, usage_track_all
from subscriptions.models import UsageSnapshot


class Command(BaseCommand):
    help = "Record a usage snapshot (users, plants, storage) for every active organisation, then send usage alerts."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=USAGE_BATCH, help="Schemas counted per SQL query.")
        parser.add_argument("--no-alerts", action="store_true", help="Measure only; send no usage alerts.")

    def handle(self, *args, batch_size: int, no_alerts: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")

        def progress(done: int, total: int, snapshot: UsageSnapshot) -> None:
            self.stdout.write(
                f"[{done}/{total}] {snapshot.organization.slug} users={snapshot.users} "
                f"plants={snapshot.plants} storage={snapshot.storage_bytes}B"
            )

        started = time.perf_counter()
        snapshots = usage_track_all(batch_size=batch_size, progress=progress)
        if snapshots is None:
            raise CommandError("Another usage run is in progress; nothing measured.")
        alerts = 0 if no_alerts else usage_alerts_send()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"done: measured {len(snapshots)} organisations in {seconds:.1f} s; {alerts} usage alerts queued"
        )
