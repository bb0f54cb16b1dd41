"""The migrated template schema that new tenant schemas are cloned from.

A clone copies exactly what Django's tenant apps put in a schema: tables (columns,
defaults, identity columns), their rows (content types, permissions, migration
records), primary keys, unique and check constraints, indexes with their own
names, foreign keys pointing inside the new schema, and identity sequences set
past the copied rows. The statements come from ``pg_catalog`` filtered by the
template's namespace, so a clone costs the same with 10 or 1,000 tenants (the
generic ``clone_schema()`` of django-tenants walks ``information_schema`` and
slows down as schemas pile up). Anything else in the template (views, triggers,
functions, free-standing sequences) is refused loudly rather than silently lost.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

_statements: dict[tuple, list[str]] = {}
# The (table, column, sequence) of every identity column in a namespace.
_IDENTITY_SEQUENCES = """
    SELECT t.relname, a.attname, s.relname
    FROM pg_class s
    JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE s.relnamespace = %s AND s.relkind = 'S'
"""


def template_schema_ensure(*, verbosity: int = 0) -> str:
    """Create or migrate the template schema; return its name."""
    name = settings.UNISON_TEMPLATE_SCHEMA
    connection.set_schema_to_public()
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{name}"')
    call_command("migrate_schemas", schema_name=name, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()
    return name


def schema_clone(new_schema: str) -> None:
    """Create ``new_schema`` as a copy of the template: tables, rows, constraints, indexes and sequences."""
    template = settings.UNISON_TEMPLATE_SCHEMA
    statements = clone_statements(template)
    with schema_context(new_schema), connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{new_schema}"')
        cursor.execute("\n".join(statements))
    connection.set_schema_to_public()


def clone_statements(template: str) -> list[str]:
    """Return the SQL that rebuilds the template in the current schema; cached per migration state."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*), max(id) FROM "{template}".django_migrations')
        key = (template, *cursor.fetchone())
    if key not in _statements:
        with schema_context(template):
            _statements.clear()
            _statements[key] = _statements_from_catalog(template)
    return _statements[key]


def _statements_from_catalog(template: str) -> list[str]:
    """Read the template's catalog (unqualified names, as seen from its own search path) into SQL."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [template])
        (namespace,) = cursor.fetchone()
        _refuse_unsupported(cursor, namespace)
        cursor.execute(
            "SELECT oid, relname FROM pg_class WHERE relnamespace = %s AND relkind = 'r' ORDER BY relname", [namespace]
        )
        tables = cursor.fetchall()
        cursor.execute(
            """
            SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
            FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
            WHERE c.relnamespace = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attgenerated = ''
            GROUP BY c.relname
            """,
            [namespace],
        )
        columns = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.contype
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            WHERE con.connamespace = %s AND con.contype IN ('p', 'u', 'c', 'x', 'f')
            ORDER BY con.contype = 'f', c.relname, con.conname
            """,
            [namespace],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relnamespace = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
            ORDER BY c.relname
            """,
            [namespace],
        )
        # pg_get_indexdef() always names the table's schema; the clone's indexes go on its own tables.
        qualified = (f" ON {template}.", f' ON "{template}".')
        indexes = [row[0].replace(qualified[0], " ON ").replace(qualified[1], " ON ") for row in cursor.fetchall()]
        cursor.execute(_IDENTITY_SEQUENCES, [namespace])
        identities = cursor.fetchall()

    like = "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMMENTS"
    sql = [f'CREATE TABLE "{name}" (LIKE "{template}"."{name}" {like});' for _, name in tables]
    sql += [
        f'INSERT INTO "{name}" ({columns[name]}) OVERRIDING SYSTEM VALUE '
        f'SELECT {columns[name]} FROM "{template}"."{name}";'
        for _, name in tables
    ]
    sql += [
        f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition};' for table, name, definition, _ in constraints
    ]
    sql += [f"{definition};" for definition in indexes]
    # Each identity sequence continues exactly where the template's stands.
    sql += [
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), last_value, is_called) "
        f'FROM "{template}"."{sequence}";'
        for table, column, sequence in identities
    ]
    return sql


def _refuse_unsupported(cursor, namespace: int) -> None:
    """Raise RuntimeError if the template holds objects the clone does not copy."""
    cursor.execute(
        """
        SELECT 'relation ' || relname || ' of kind ' || relkind::text FROM pg_class
        WHERE relnamespace = %(ns)s AND relkind NOT IN ('r', 'i', 'S')
        UNION ALL
        SELECT 'sequence ' || s.relname FROM pg_class s
        WHERE s.relnamespace = %(ns)s AND s.relkind = 'S'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i')
        UNION ALL
        SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE c.relnamespace = %(ns)s AND NOT t.tgisinternal
        UNION ALL
        SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = %(ns)s
        UNION ALL
        SELECT 'type ' || typname FROM pg_type t
        WHERE typnamespace = %(ns)s AND typtype NOT IN ('c', 'b') AND typrelid = 0
        """,
        {"ns": namespace},
    )
    unsupported = [row[0] for row in cursor.fetchall()]
    if unsupported:
        raise RuntimeError(f"The template schema holds objects the clone does not copy: {', '.join(unsupported)}")
