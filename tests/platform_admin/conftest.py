"""Operators of the console: a superuser (role owner unless given), and a staff member who is not one (and
must be refused). Clients sign in through the console's pages with a real two-factor code (tests.signin)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD
from tests.signin import console_client as signed_in_console_client


def public_user(email: str, **flags):
    """Return a new user of the public schema (where operators live)."""
    from accounts.models import User

    connection.set_schema_to_public()
    if flags.get("is_superuser"):
        flags.setdefault("console_role", "owner")
    return User.objects.create_user(email=email, password=PASSWORD, full_name="Console Person", **flags)


@pytest.fixture
def operator(db):
    return public_user("operator@unison.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff(db):
    return public_user("staff@unison.test", is_staff=True)


def console_client(user=None) -> Client:
    """Return a test client on the public host, signed in as ``user`` if given (staff: force_login, as they
    never get past the password to a code)."""
    if user is None or user.is_superuser:
        return signed_in_console_client(user)
    client = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
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
    """Sign a new operator in to the console in the browser ``page`` (password, then a real code); return it."""
    from tests.signin import console_browser_sign_in

    operator = public_user("operator@unison.test", is_staff=True, is_superuser=True)
    console_browser_sign_in(page, site, operator)
    return operator