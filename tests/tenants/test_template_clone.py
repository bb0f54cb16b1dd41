"""A cloned schema is the template's twin: same tables, rows, constraints, indexes and sequences."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.template import clone_statements, schema_clone

TEMPLATE = settings.UNISON_TEMPLATE_SCHEMA


def catalog(schema: str) -> dict[str, set]:
    """Return the schema's structure with its own name blanked out, so two schemas compare equal."""
    queries = {
        "columns": """
            SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), is_identity
            FROM information_schema.columns WHERE table_schema = %(s)s""",
        "constraints": """
            SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %(s)s""",
        "indexes": "SELECT indexname, replace(indexdef, %(s)s, '') FROM pg_indexes WHERE schemaname = %(s)s",
        "sequences": """
            SELECT t.relname, a.attname, coalesce(ps.last_value, 0), ps.increment_by
            FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
            JOIN pg_class t ON t.oid = d.refobjid
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            JOIN pg_namespace n ON n.oid = s.relnamespace
            JOIN pg_sequences ps ON ps.schemaname = n.nspname AND ps.sequencename = s.relname
            WHERE n.nspname = %(s)s AND s.relkind = 'S'""",
        "migrations": None,
    }
    found: dict[str, set] = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            if sql is None:
                cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')
            else:
                cursor.execute(sql, {"s": schema})
            found[name] = {
                tuple(str(v).replace(f'"{schema}".', "").replace(f"{schema}.", "") for v in row)
                for row in cursor.fetchall()
            }
    return found


@pytest.fixture
def clone(db):
    name = "t_clone_check"
    schema_clone(name)
    return name


def test_the_clone_has_the_templates_tables_constraints_indexes_sequences_and_migrations(clone):
    template, copy = catalog(TEMPLATE), catalog(clone)
    for part in ("columns", "constraints", "indexes", "sequences", "migrations"):
        assert copy[part] == template[part], part
    assert len(template["migrations"]) > 10
    assert any(kind == "f" for _, _, kind, _ in template["constraints"])


def test_the_clone_copies_the_templates_rows(clone):
    for table in ("django_content_type", "auth_permission", "django_migrations"):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT count(*) FROM "{TEMPLATE}".{table}')
            expected = cursor.fetchone()[0]
            cursor.execute(f'SELECT count(*) FROM "{clone}".{table}')
            assert cursor.fetchone()[0] == expected > 0, table


def test_every_foreign_key_of_the_clone_points_inside_the_clone(clone):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT con.conname, target_ns.nspname
            FROM pg_constraint con
            JOIN pg_namespace ns ON ns.oid = con.connamespace
            JOIN pg_class target ON target.oid = con.confrelid
            JOIN pg_namespace target_ns ON target_ns.oid = target.relnamespace
            WHERE con.contype = 'f' AND ns.nspname = %s
            """,
            [clone],
        )
        targets = cursor.fetchall()
    assert targets
    assert {namespace for _, namespace in targets} == {clone}


def test_the_clones_sequences_continue_after_the_copied_rows_and_are_its_own(clone):
    from django.contrib.contenttypes.models import ContentType

    with schema_context(TEMPLATE):
        template_max = ContentType.objects.order_by("-pk").values_list("pk", flat=True).first()
    with schema_context(clone):
        made = ContentType.objects.create(app_label="clone_check", model="thing")
        assert made.pk == template_max + 1
        first = User.objects.create_user(email="a@example.com", password="x")
    with schema_context(TEMPLATE):
        assert not ContentType.objects.filter(app_label="clone_check").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{clone}".accounts_user'])
        assert cursor.fetchone()[0] == f"{clone}.accounts_user_id_seq"
    assert first.pk == 1


def test_a_foreign_key_in_the_clone_is_enforced(clone):
    from django.db import IntegrityError, transaction

    with schema_context(clone), pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("INSERT INTO auth_permission (name, codename, content_type_id) VALUES ('x', 'x', 999999)")


def test_the_clone_sql_is_read_once_per_migration_state(db):
    first = clone_statements(TEMPLATE)
    assert clone_statements(TEMPLATE) is first


def test_the_clone_refuses_a_template_holding_what_it_cannot_copy(db):
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE VIEW "{TEMPLATE}".stray_view AS SELECT 1 AS one')
        cursor.execute(
            f'INSERT INTO "{TEMPLATE}".django_migrations (app, name, applied) VALUES (%s, %s, now())', ["stray", "0001"]
        )
    with pytest.raises(RuntimeError, match="relation stray_view"):
        schema_clone("t_never_made")
