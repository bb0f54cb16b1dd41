"""Tenants through PgBouncer in transaction mode: every statement runs in its own tenant's schema.

With transaction pooling, each transaction may run on another server connection, so a
session-level ``SET search_path`` (django-tenants' way) set by one client is what the next client
of that server connection runs with. ``DATABASE_POOLING=transaction`` (``unison/pooled_postgresql``)
sends each statement with its own search path instead. Both are run here over two server
connections, with two tenants' statements and requests interleaved: the pooled backend must keep
every tenant to its own rows, and the same run with django-tenants' own backend must show the leak
(so these tests can tell one from the other).
"""

from __future__ import annotations

from contextlib import suppress

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.utils import load_backend
from django_tenants.utils import schema_context

from shopfloor.models import Plant
from subscriptions.services import subscription_comp
from tests.conftest import tenant_user
from tests.scaling.conftest import bearer, production_env

pytestmark = pytest.mark.django_db(transaction=True)

POOLED = "unison.pooled_postgresql"
TENANTS_OWN = "django_tenants.postgresql_backend"
SESSION_DEFAULT = '"$user", public'  # what a server connection searches when nobody set anything


@pytest.fixture
def two_tenants(make_organization):
    """Return two organisations, each with one plant named after it."""
    organizations = [make_organization(name="Anvil Works"), make_organization(name="Bellows Ltd")]
    for organization in organizations:
        with schema_context(organization.schema_name):
            Plant.objects.create(name=organization.name, code=organization.slug[-6:].upper())
    return organizations


@pytest.fixture
def pooled_aliases(pgbouncer):
    """Return a function that opens one Django connection per alias through PgBouncer with a backend."""
    opened: list[str] = []

    def open_connection(alias: str, engine: str):
        settings_dict = {**connection.settings_dict, "ENGINE": engine, "HOST": "127.0.0.1", "PORT": pgbouncer.port,
                         "DISABLE_SERVER_SIDE_CURSORS": True}
        connections[alias] = load_backend(engine).DatabaseWrapper(settings_dict, alias)
        opened.append(alias)
        return connections[alias]

    yield open_connection
    for alias in opened:
        connections[alias].close()
        del connections[alias]


def interleave(pooled_aliases, organizations, engine) -> list[tuple[str, str, list[str]]]:
    """Run two tenants' statements turn about on two client connections; return (expected, seen, rows) for each.

    Each connection is set to its tenant once, as a request or a task is; between two of its
    statements the other tenant runs one. A write goes in each tenant's turn too, and one turn is
    a transaction of two statements with the other tenant's statement in between.
    """
    sides = []
    for index, organization in enumerate(organizations):
        alias = f"pgbouncer_{index}"
        pooled_aliases(alias, engine).set_tenant(organization)
        sides.append((alias, organization))
    seen = []

    def statement(alias, organization):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT current_schema()")
                schema = cursor.fetchone()[0]
            rows = sorted(Plant.objects.using(alias).values_list("name", flat=True).filter(name=organization.name))
        except DatabaseError as error:  # e.g. another schema's search path has no such table
            schema, rows = type(error).__name__, []
        seen.append((organization.schema_name, schema, rows))

    for turn in range(6):
        for alias, organization in sides:
            statement(alias, organization)
            with suppress(DatabaseError):
                Plant.objects.using(alias).create(name=f"{organization.name} {turn}", code=f"T{turn}-{organization.pk}")
    (alias, organization), (other_alias, other) = sides
    with suppress(DatabaseError), transaction.atomic(using=alias):
        statement(alias, organization)
        statement(other_alias, other)  # on the other server connection, while this transaction holds one
        statement(alias, organization)
    return seen


def plants_of(organization) -> set[str]:
    with schema_context(organization.schema_name):
        return set(Plant.objects.values_list("name", flat=True))


def test_through_transaction_pooling_every_statement_runs_in_its_own_tenants_schema(
        two_tenants, pooled_aliases, pgbouncer):
    seen = interleave(pooled_aliases, two_tenants, POOLED)

    assert len(seen) == 15
    assert [(expected, schema) for expected, schema, _ in seen] == [(expected, expected) for expected, _, _ in seen]
    assert all(rows for _, _, rows in seen)  # each statement found its own tenant's plant
    for organization in two_tenants:  # and each write landed in its own tenant's schema
        assert plants_of(organization) == {organization.name, *(f"{organization.name} {turn}" for turn in range(6))}
    # Nothing was left on a server session.
    assert pgbouncer.session_search_path(connection.settings_dict["NAME"]) == SESSION_DEFAULT


def test_django_tenants_own_backend_leaks_through_transaction_pooling_and_the_test_sees_it(
        two_tenants, pooled_aliases):
    seen = interleave(pooled_aliases, two_tenants, TENANTS_OWN)

    wrong = [(expected, schema) for expected, schema, _ in seen if schema != expected]
    assert wrong, "the session-level SET search_path did not leak: this test could not catch the failure"
    anvil, bellows = two_tenants
    assert plants_of(anvil) != {anvil.name, *(f"{anvil.name} {turn}" for turn in range(6))} or plants_of(
        bellows) != {bellows.name, *(f"{bellows.name} {turn}" for turn in range(6))}  # writes went astray too


@pytest.mark.parametrize("pooling, leaks", [("transaction", False), ("", True)], ids=["pooled", "tenants-own"])
def test_two_web_servers_through_pgbouncer_serve_each_tenant_only_its_own_rows(
        two_tenants, pgbouncer, start_web, pooling, leaks):
    """Two gunicorn processes, each keeping its connection, serve both tenants' API requests turn about."""
    for organization in two_tenants:  # the data API needs Enterprise's API access
        subscription_comp(subscription=organization.subscription, tier="enterprise", reason="API test", actor="test")
    tokens = {organization.pk: bearer(organization, tenant_user(organization, role="owner"))
              for organization in two_tenants}
    environment = production_env(DATABASE_URL=pgbouncer.url(connection.settings_dict["NAME"]), DATABASE_POOLING=pooling,
                                 CACHE_BACKEND="django.core.cache.backends.locmem.LocMemCache")
    first, second = start_web(environment), start_web(environment)
    anvil, bellows = two_tenants
    # Each server mostly serves "its" tenant (so its connection keeps that search path), sometimes the other.
    turns = [(first, anvil), (second, bellows)] * 3 + [(first, bellows), (second, anvil)] + [
        (first, anvil), (second, bellows)] * 2

    answers = []
    for web, organization in turns:
        response = web.get(organization.host, "/api/v1/plants", headers=tokens[organization.pk])
        names = [plant["name"] for plant in response.json()["results"]] if response.status_code == 200 else None
        answers.append((organization.name, response.status_code, names))

    right = [(name, 200, [name]) for name, _, _ in answers]
    if leaks:
        assert answers != right, "django-tenants' own backend did not leak: this test could not catch the failure"
    else:
        assert answers == right
        assert pgbouncer.session_search_path(connection.settings_dict["NAME"]) == SESSION_DEFAULT
