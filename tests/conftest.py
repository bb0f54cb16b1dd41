"""Fixtures shared by every test: a migrated template schema, organisations and personas.

Personas follow healthchecks: an owner and a teammate in one organisation, and an
outsider who owns another organisation and must see nothing of the first.
"""

from __future__ import annotations

import itertools
import os
import uuid

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tenants.template import template_schema_ensure

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate the test database, then build the template schema tenants are cloned from."""
    with django_db_blocker.unblock():
        template_schema_ensure()


@pytest.fixture(scope="session")
def stripe_server():
    """Run localstripe (with our extension) for the whole session and point Stripe calls at it."""
    from django.conf import settings

    from devstripe.process import StripeServer

    server = StripeServer(log_path=os.environ.get("LOCALSTRIPE_LOG"))
    original = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = server.url
    yield server
    settings.STRIPE_API_BASE = original
    server.stop()


@pytest.fixture
def stripe_catalog(stripe_server):
    """Make sure the catalog's products and prices exist in localstripe."""
    from billing.catalog_sync import stripe_catalog_sync

    stripe_catalog_sync()
    return stripe_server


@pytest.fixture(autouse=True)
def _public_schema_first():
    """Start every test on the public schema: a tenant request leaves the connection in its schema."""
    from django.db import connection

    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


def unique_slug(prefix: str = "org") -> str:
    """Return a slug no other test uses, even across workers and committed test data."""
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def make_organization(db):
    """Return a factory that provisions an organisation (with its trial) and returns it."""
    from subscriptions.services import organization_create_with_trial

    def make(slug: str | None = None, *, name: str = "Test Works", owner_email: str | None = None, **details):
        slug = slug or unique_slug()
        return organization_create_with_trial(
            name=name,
            slug=slug,
            owner_email=owner_email or f"owner@{slug}.example.com",
            owner_password=PASSWORD,
            owner_name="Olive Owner",
            **details,
        )

    return make


@pytest.fixture
def organization(make_organization):
    return make_organization(name="Acme Works")


@pytest.fixture
def other_organization(make_organization):
    return make_organization(name="Other Industries")


def tenant_user(organization, *, email: str | None = None, role: str = "member"):
    """Return a user of the organisation: the owner by default, else a new one with that role."""
    from accounts.models import User

    with schema_context(organization.schema_name):
        if email is None and role == "owner":
            return User.objects.get(role="owner")
        return User.objects.create_user(
            email=email or f"{role}-{next(_counter)}@{organization.slug}.example.com",
            password=PASSWORD,
            full_name=f"{role.title()} Person",
            role=role,
        )


@pytest.fixture
def owner(organization):
    return tenant_user(organization, role="owner")


@pytest.fixture
def teammate(organization):
    return tenant_user(organization, role="member")


@pytest.fixture
def outsider(other_organization):
    return tenant_user(other_organization, role="owner")


def client_for(organization, user=None) -> Client:
    """Return a test client on the organisation's host, signed in as ``user`` if given."""
    client = Client(HTTP_HOST=organization.host)
    if user is not None:
        with schema_context(organization.schema_name):
            client.force_login(user)
    return client


@pytest.fixture
def public_client() -> Client:
    from django.conf import settings

    return Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)


def billed(organization, *, tier: str = "starter", billing_cycle: str = "monthly", status: str = "active",
           add_ons: dict | None = None, mrr_cents: int | None = None, stripe_subscription_id: str = "sub_test_1",
           **state):
    """Make the organisation's subscription what a Stripe subscription in that state would make it; return it.

    This runs the real mirror (``subscriptions.services.subscription_mirror``) with the state billing
    would read from Stripe, for tests about what follows from a plan rather than about Stripe itself.
    """
    from subscriptions import catalog
    from subscriptions.services import BillingState, subscription_mirror

    add_ons = add_ons or {}
    if mrr_cents is None:
        mrr_cents = catalog.tier(tier).monthly_equivalent_cents(billing_cycle) + sum(
            catalog.ADD_ONS[kind].monthly_cents_per_unit * quantity for kind, quantity in add_ons.items())
    result = subscription_mirror(subscription=organization.subscription, state=BillingState(
        stripe_subscription_id=stripe_subscription_id, status=status, tier=tier, billing_cycle=billing_cycle,
        add_ons=add_ons, mrr_cents=mrr_cents, **state))
    organization.subscription.refresh_from_db()
    return result.subscription
