"""Operators of the console: a superuser, and a staff member who is not one (and must be refused)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD


def public_user(email: str, **flags):
    """Return a new user of the public schema (where operators live)."""
    from accounts.models import User

    connection.set_schema_to_public()
    return User.objects.create_user(email=email, password=PASSWORD, full_name="Console Person", **flags)


@pytest.fixture
def operator(db):
    return public_user("operator@unison.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff(db):
    return public_user("staff@unison.test", is_staff=True)


def console_client(user=None) -> Client:
    """Return a test client on the public host, signed in as ``user`` if given."""
    client = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
    if user is not None:
        connection.set_schema_to_public()
        client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator) -> Client:
    return console_client(operator)


@pytest.fixture
def staff_client(staff) -> Client:
    return console_client(staff)


def console_sign_in(page, site):
    """Sign a new operator in to the console in the browser ``page``; return the operator."""
    import re

    operator = public_user("operator@unison.test", is_staff=True, is_superuser=True)
    page.goto(site.url("/admin/login/"))
    page.fill("input[name=username]", operator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return operator
