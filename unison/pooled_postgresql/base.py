"""django-tenants' backend where every statement carries its tenant's search path: safe behind PgBouncer.

django-tenants chooses a tenant's schema with a session-level ``SET search_path``, sent once per
connection and schema (``TENANT_LIMIT_SET_CALLS``). Behind a pooler in transaction mode
(PgBouncer's ``pool_mode = transaction``) a client's session is not the server's: each transaction
may run on another server connection, one that another process has just set to another tenant's
schema. Reads and writes would then reach another tenant's tables.

Here no session state is kept at all. Each statement goes to the server as one query,

    SELECT set_config('search_path', '"<schema>","public"', true); <statement>

which PostgreSQL runs as one transaction (an implicit one in autocommit, else inside the open one),
so the pooler keeps both on one server connection; ``true`` makes the setting end with that
transaction, so nothing is left behind for the server connection's next client. It costs no round
trip: the prefix rides in the statement's own message. Chosen over ``SET LOCAL`` on
``ATOMIC_REQUESTS`` because it also covers autocommit statements outside any transaction (Celery
tasks, management commands, ``on_commit`` callbacks), which a per-transaction hook would miss.

Set by ``DATABASE_POOLING=transaction`` (``unison/settings/base.py``), which also turns off
server-side cursors (a cursor declared in one transaction is gone in the next). Statements that
PostgreSQL refuses inside a transaction and that name no schema objects (``CREATE DATABASE``,
``DROP DATABASE``, ``ALTER SYSTEM``) are sent as they are; any other such statement
(``CREATE INDEX CONCURRENTLY``, ``VACUUM``) fails loudly rather than run in the wrong schema.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql.base import Cursor
from django_tenants.postgresql_backend import base as tenants
from django_tenants.utils import quote_schema_name
from psycopg import sql

_OUTSIDE_TRANSACTIONS = re.compile(r"\s*((CREATE|DROP)\s+DATABASE|ALTER\s+SYSTEM)\b", re.IGNORECASE)


def search_path_prefix(schemas: list[str]) -> str:
    """Return the statement that gives the rest of its transaction these schemas as its search path."""
    value = ",".join(quote_schema_name(schema) for schema in schemas)
    return f"SELECT set_config('search_path', '{value}', true); "


class SearchPathCursor(Cursor):
    """A psycopg client-side cursor that sends each statement after its search path, in one query."""

    def _prefix(self, query) -> str | None:
        schemas = getattr(self.connection, "unison_search_paths", None)
        if schemas is None:
            raise ImproperlyConfigured("A cursor of the pooled backend was opened outside Django's connection.")
        if _OUTSIDE_TRANSACTIONS.match(query):
            return None
        return search_path_prefix(schemas())

    def execute(self, query, params=None, **kwargs):
        if isinstance(query, sql.Composable):
            query = query.as_string(self)
        prefix = self._prefix(query)
        if prefix is None:
            return super().execute(query, params, **kwargs)
        if params is not None:
            prefix = prefix.replace("%", "%%")  # the client-side binding formats the whole text
        super().execute(prefix + query, params, **kwargs)
        self.nextset()  # the statement's own result, not set_config's
        return self

    def executemany(self, query, params_seq, **kwargs):
        # One statement per parameter set, so the setting goes first, inside the same transaction.
        if isinstance(query, sql.Composable):
            query = query.as_string(self)
        setting = self._prefix(query)
        if setting is None:
            return super().executemany(query, params_seq, **kwargs)
        if self.connection.autocommit:
            with self.connection.transaction():
                super().execute(setting)
                return super().executemany(query, params_seq, **kwargs)
        super().execute(setting)
        return super().executemany(query, params_seq, **kwargs)


class DatabaseWrapper(tenants.DatabaseWrapper):
    """django-tenants' wrapper that never sets a search path on the session, only on each statement."""

    def get_connection_params(self):
        params = super().get_connection_params()
        params["cursor_factory"] = SearchPathCursor
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.unison_search_paths = self._get_cursor_search_paths
        return connection

    def create_cursor(self, name=None):
        if name:
            raise ImproperlyConfigured(
                "Server-side cursors cannot work through a pooler in transaction mode: "
                "DISABLE_SERVER_SIDE_CURSORS must be true with DATABASE_POOLING=transaction.")
        return super().create_cursor(name)

    def _handle_search_path(self, cursor=None):
        """Set nothing on the session: each statement carries the schemas (``SearchPathCursor``)."""
        if not self.schema_name:
            raise ImproperlyConfigured("Database schema not set. Did you forget to call set_schema() or set_tenant()?")
