"""``python manage.py sync_stripe_catalog``: create or update Stripe Products and Prices from the catalog."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from billing.catalog_sync import stripe_catalog_sync
from billing.gateway import BillingError


class Command(BaseCommand):
    help = "Create or update Stripe Products and Prices from subscriptions/catalog.py (idempotent)."

    def handle(self, *args, **options):
        try:
            counts = stripe_catalog_sync(progress=self.stdout.write)
        except BillingError as error:
            raise CommandError(error.detail) from error
        summary = ", ".join(f"{number} {what}" for what, number in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Stripe catalog in sync: {summary}."))
