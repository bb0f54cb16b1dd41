"""Seed an operator account and the demo tenant ``acme``; safe to run again.

Passwords are printed when the accounts are made; ``--reset-passwords`` gives both new ones and prints them.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django_tenants.utils import tenant_context

from accounts.two_factor import two_factor_disable
from shopfloor.models import ONBOARDING_STEPS
from shopfloor.services import onboarding_step_complete, organization_update_profile, sample_data_load
from subscriptions import lifecycle
from subscriptions.services import organization_create_with_trial
from tenants.hosts import public_origin
from tenants.models import Organization

OPERATOR_EMAIL = "operator@unison.local"
DEMO_SLUG = "acme"
DEMO_OWNER = "owner@acme.example.com"


class Command(BaseCommand):
    help = "Create the operator account and the demo tenant; print credentials when made or reset."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Use this password instead of a random one (development only).")
        parser.add_argument(
            "--reset-passwords", action="store_true",
            help="Give the operator and the demo owner new passwords (or --password) and print them.",
        )
        parser.add_argument(
            "--reset-two-factor", action="store_true",
            help="Remove the operator's authenticator and recovery codes: the next console sign-in sets one up again.",
        )

    def handle(self, *args, password=None, reset_passwords=False, reset_two_factor=False, **options):
        connection.set_schema_to_public()
        created, reset = [], []
        operator_line = self._operator(password, reset_passwords)
        if reset_two_factor:
            two_factor_disable(user=get_user_model().objects.get(email=OPERATOR_EMAIL))
            self.stdout.write(f"two-factor sign-in of {OPERATOR_EMAIL} removed")
        self.stdout.write("[1/3] operator account ready")
        demo_line = self._demo(password, reset_passwords)
        self.stdout.write("[2/3] demo tenant acme ready, with its setup done and sample data")
        # The console shows usage from snapshots; measure now rather than at the worker's next 6-hour run.
        measured = lifecycle.usage_track_all()
        self.stdout.write(f"[3/3] usage measured for {len(measured or [])} organisation(s)"
                          + ("" if measured is not None else " (another run is measuring)"))
        for made, line in (operator_line, demo_line):
            if line:
                (created if made else reset).append(line)
                self.stdout.write(self.style.WARNING(line))
        summary = f"seed_demo done: {len(created)} account(s) created"
        if reset_passwords:
            summary += f", {len(reset)} password(s) reset"
        elif not created:
            summary += " (all existed; new passwords: .venv/bin/python manage.py seed_demo --reset-passwords)"
        self.stdout.write(self.style.SUCCESS(summary))

    def _operator(self, password: str | None, reset: bool) -> tuple[bool, str]:
        """Make the operator, or give it a new password if ``reset``; return (made, line to print)."""
        User = get_user_model()
        operator = User.objects.filter(email=OPERATOR_EMAIL).first()
        if operator is not None and not reset:
            return False, ""
        password = password or secrets.token_urlsafe(12)
        if operator is None:
            User.objects.create_superuser(OPERATOR_EMAIL, password, full_name="Platform Operator")
        else:
            _password_set(operator, password)
        return operator is None, (f"operator  {public_origin()}/admin/  {OPERATOR_EMAIL} / {password}  "
                                  "(at the first sign-in the console shows a QR code: scan it with an "
                                  "authenticator app and keep the recovery codes)")

    def _demo(self, password: str | None, reset: bool) -> tuple[bool, str]:
        """Make the demo tenant, or give its owner a new password if ``reset``; return (made, line to print)."""
        demo = Organization.objects.filter(slug=DEMO_SLUG).first()
        if demo is not None and not reset:
            return False, ""
        password = password or secrets.token_urlsafe(12)
        if demo is None:
            demo = organization_create_with_trial(
                name="Acme Manufacturing",
                slug=DEMO_SLUG,
                owner_email=DEMO_OWNER,
                owner_password=password,
                owner_name="Ada Acme",
                industry="automotive",
            )
            _set_up(demo)
            return True, f"demo owner  {demo.url}  {DEMO_OWNER} / {password}"
        with tenant_context(demo):
            owner = get_user_model().objects.filter(email=DEMO_OWNER).first()
            if owner is None:
                self.stdout.write(self.style.ERROR(f"{DEMO_OWNER} is no longer a user of {DEMO_SLUG}: not reset"))
                return False, ""
            _password_set(owner, password)
        return False, f"demo owner  {demo.url}  {DEMO_OWNER} / {password}"


def _password_set(user, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])


def _set_up(demo: Organization) -> None:
    """Do what the owner would in the onboarding wizard, so the demo opens on a working dashboard."""
    with tenant_context(demo):
        organization_update_profile(organization=demo, industry="automotive", company_size="51-200",
                                    primary_use_case="all", costing_method="fifo")
        sample_data_load(organization=demo)
        for step in ONBOARDING_STEPS:
            onboarding_step_complete(step=step)
