"""Seed an operator account and the demo tenant ``acme``; safe to run again."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import tenant_context

from shopfloor.models import ONBOARDING_STEPS
from shopfloor.services import onboarding_step_complete, organization_update_profile, sample_data_load
from subscriptions.services import organization_create_with_trial
from tenants.hosts import public_origin
from tenants.models import Organization

OPERATOR_EMAIL = "operator@unison.local"
DEMO_SLUG = "acme"
DEMO_OWNER = "owner@acme.example.com"


class Command(BaseCommand):
    help = "Create the operator account and the demo tenant; print credentials the first time only."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Use this password instead of a random one (development only).")

    def handle(self, *args, **options):
        connection.set_schema_to_public()
        created = []
        User = get_user_model()
        if not User.objects.filter(email=OPERATOR_EMAIL).exists():
            password = options["password"] or secrets.token_urlsafe(12)
            User.objects.create_superuser(OPERATOR_EMAIL, password, full_name="Platform Operator")
            created.append(f"operator  {public_origin()}/admin/  {OPERATOR_EMAIL} / {password}")
        self.stdout.write("[1/2] operator account ready")
        if not Organization.objects.filter(slug=DEMO_SLUG).exists():
            password = options["password"] or secrets.token_urlsafe(12)
            demo = organization_create_with_trial(
                name="Acme Manufacturing",
                slug=DEMO_SLUG,
                owner_email=DEMO_OWNER,
                owner_password=password,
                owner_name="Ada Acme",
                industry="automotive",
            )
            created.append(f"demo owner  {demo.url}  {DEMO_OWNER} / {password}")
            _set_up(demo)
        self.stdout.write("[2/2] demo tenant acme ready, with its setup done and sample data")
        for line in created:
            self.stdout.write(self.style.WARNING(line))
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo done: {len(created)} account(s) created"
                + ("" if created else " (all existed; passwords were printed when they were made)")
            )
        )


def _set_up(demo: Organization) -> None:
    """Do what the owner would in the onboarding wizard, so the demo opens on a working dashboard."""
    with tenant_context(demo):
        organization_update_profile(organization=demo, industry="automotive", company_size="51-200",
                                    primary_use_case="all", costing_method="fifo")
        sample_data_load(organization=demo)
        for step in ONBOARDING_STEPS:
            onboarding_step_complete(step=step)
