"""`manage.py seed_demo` makes the operator and the demo tenant once, and is safe to run again."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Organization
from tests.conftest import client_for


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_makes_the_operator_and_acme_and_prints_credentials_once(db):
    first = seed()
    assert "operator@unison.local" in first
    assert "owner@acme.example.com" in first

    operator = User.objects.get(email="operator@unison.local")
    assert operator.is_superuser and operator.is_staff
    acme = Organization.objects.get(slug="acme")
    assert acme.subscription.status == "trialing"
    with schema_context(acme.schema_name):
        assert User.objects.get().role == "owner"

    second = seed()
    assert "operator@unison.local /" not in second
    assert "owner@acme.example.com /" not in second
    assert "new passwords: .venv/bin/python manage.py seed_demo --reset-passwords" in second
    assert Organization.objects.filter(slug="acme").count() == 1
    assert User.objects.filter(email="operator@unison.local").count() == 1
    with schema_context(acme.schema_name):
        assert User.objects.count() == 1


def test_seed_demo_with_a_given_password_lets_both_sign_in(db):
    seed("--password", "demo-password-123")
    assert User.objects.get(email="operator@unison.local").check_password("demo-password-123")
    with schema_context(Organization.objects.get(slug="acme").schema_name):
        assert User.objects.get(email="owner@acme.example.com").check_password("demo-password-123")


def test_reset_passwords_prints_new_ones_that_work_and_makes_nothing_new(db):
    seed("--password", "old-password-123")

    out = seed("--reset-passwords")

    operator_password = re.search(r"operator@unison\.local / (\S+)", out).group(1)
    owner_password = re.search(r"owner@acme\.example\.com / (\S+)", out).group(1)
    assert "0 account(s) created, 2 password(s) reset" in out
    operator = User.objects.get(email="operator@unison.local")
    assert operator.check_password(operator_password) and not operator.check_password("old-password-123")
    acme = Organization.objects.get(slug="acme")
    with schema_context(acme.schema_name):
        owner = User.objects.get(email="owner@acme.example.com")
        assert owner.check_password(owner_password) and not owner.check_password("old-password-123")
        assert User.objects.count() == 1
    assert operator_password != owner_password


def test_reset_passwords_on_a_fresh_database_makes_the_accounts_once(db):
    out = seed("--reset-passwords", "--password", "given-password-123")

    assert "2 account(s) created, 0 password(s) reset" in out
    assert User.objects.get(email="operator@unison.local").check_password("given-password-123")
    assert Organization.objects.filter(slug="acme").count() == 1


def test_the_demo_opens_on_a_dashboard_with_sample_data_not_the_wizard(db):
    from shopfloor.models import Material, OnboardingState, WorkOrder

    seed("--password", "demo-password-123")
    acme = Organization.objects.get(slug="acme")
    with schema_context(acme.schema_name):
        assert OnboardingState.objects.get().completed_at is not None
        assert Material.objects.filter(is_sample=True).count() == 6
        assert WorkOrder.objects.filter(is_sample=True).count() == 4
        owner = User.objects.get(email="owner@acme.example.com")
    assert (acme.industry, acme.costing_method) == ("automotive", "fifo")

    page = client_for(acme, owner).get("/")

    assert page.status_code == 200, page.get("Location")
    assert "Aluminium bar" in page.content.decode() or "SMP-" in page.content.decode()


def test_seed_demo_measures_usage_so_the_console_shows_acmes_users_and_plants(db):
    from platform_admin.metrics import platform_metrics

    out = seed()

    assert re.search(r"\[3/3\] usage measured for \d+ organisation", out)
    figures = platform_metrics()
    assert figures["users"] >= 1 and figures["plants"] >= 1
