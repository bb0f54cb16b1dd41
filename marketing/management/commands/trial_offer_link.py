"""``python manage.py trial_offer_link --days 30 [--campaign spring-fair]``: a signup link with a signed trial offer."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from subscriptions import catalog
from subscriptions.trial_offers import OFFER_MAX_AGE, trial_offer_token
from tenants.hosts import public_origin


class Command(BaseCommand):
    help = (f"Print a signup link whose trial lasts --days (1 to {catalog.MAX_TRIAL_OFFER_DAYS}) instead of "
            f"{catalog.TRIAL_DAYS}; it is honoured for {OFFER_MAX_AGE.days} days.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True)
        parser.add_argument("--campaign", default="", help="a name kept with each trial it opens (40 characters)")

    def handle(self, *args, days: int, campaign: str, **options):
        try:
            token = trial_offer_token(days=days, campaign=campaign)
        except ValidationError as error:
            raise CommandError(error.message_dict["days"][0]) from error
        path = reverse("marketing:signup", urlconf=settings.PUBLIC_SCHEMA_URLCONF)
        self.stdout.write(f"{public_origin()}{path}?offer={token}")
        self.stdout.write(f"A {days}-day trial for signups through this link until it expires in "
                          f"{OFFER_MAX_AGE.days} days.")
