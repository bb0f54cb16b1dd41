"""``python manage.py setup_stripe_webhook <base url>``: register dj-stripe's endpoint with Stripe."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from billing.gateway import BillingError
from billing.services import stripe_webhook_setup


class Command(BaseCommand):
    help = "Create (once) the Stripe webhook endpoint for this site's public host, e.g. https://unison.example.com"

    def add_arguments(self, parser):
        parser.add_argument("base_url", help="The public host's base URL that Stripe can reach.")

    def handle(self, *args, base_url, **options):
        try:
            endpoint, created = stripe_webhook_setup(base_url=base_url)
        except BillingError as error:
            raise CommandError(error.detail) from error
        verb = "Created" if created else "Already set up:"
        self.stdout.write(self.style.SUCCESS(f"{verb} webhook endpoint {endpoint.id} → {endpoint.url}"))
