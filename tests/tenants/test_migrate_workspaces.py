"""migrate_workspaces: pending tenant migrations reach every schema, as migrate_schemas would leave them.

The migrations are those of tests/tenants/migration_probe (a tenant app of the test settings):
0002 and 0004 add a field (plain SQL), 0003 is RunPython (the standard per-schema path). The
command works over connections of its own, so these tests commit (transactional_db) and drop
the schemas they made.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants.workspace_migrations import LOCK

PROBE = "migration_probe"


@pytest.fixture
def workspaces(transactional_db, make_organization):
    """Return three workspace schemas whose probe app stands at 0001, as if 0002-0004 had just shipped."""
    schemas = [make_organization().schema_name for _ in range(3)]
    for schema in schemas:
        behind(schema)
    yield schemas
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def behind(schema: str) -> None:
    """Undo probe migrations 0002-0004 in ``schema`` (their columns, the row of 0003 and their records)."""
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{schema}".migration_probe_probe DROP COLUMN note, DROP COLUMN size')
        cursor.execute(f'DELETE FROM "{schema}".migration_probe_probe')
        cursor.execute(f"DELETE FROM \"{schema}\".django_migrations WHERE app = %s AND name <> '0001_initial'", [PROBE])


def migrate(*args, **options) -> str:
    out = StringIO()
    call_command("migrate_workspaces", *args, stdout=out, stderr=out, workers=2, **options)
    return out.getvalue()


def fetch(sql: str, params=None) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return set(cursor.fetchall())


def applied(schema: str) -> set[tuple]:
    return fetch(f'SELECT app, name FROM "{schema}".django_migrations')


def columns(schema: str) -> set[tuple]:
    return fetch(
        "SELECT column_name, data_type, is_nullable, coalesce(column_default, '') FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = 'migration_probe_probe'",
        [schema],
    )


def state(schema: str) -> dict[str, set]:
    """Return what a migration run leaves in a schema: records, columns, rows, content types and permissions."""
    return {
        "applied": applied(schema),
        "columns": columns(schema),
        "rows": fetch(f'SELECT label, note, size FROM "{schema}".migration_probe_probe'),
        "content_types": fetch(f'SELECT app_label, model FROM "{schema}".django_content_type'),
        "permissions": fetch(
            f'SELECT c.app_label, p.codename FROM "{schema}".auth_permission p '
            f'JOIN "{schema}".django_content_type c ON c.id = p.content_type_id'
        ),
    }


def test_a_pending_add_field_reaches_every_schema_as_plain_sql(workspaces):
    output = migrate(PROBE, "0002_probe_note", skip_template=True)

    for schema in workspaces:
        assert (PROBE, "0002_probe_note") in applied(schema)
        assert (PROBE, "0003_probe_filled") not in applied(schema)
        assert "note" in {name for name, *_ in columns(schema)}
    assert "3 behind, 3 migrated, 0 failed; 1 migration(s) as plain SQL, 0 by the standard path" in output
    assert "[3/3] migration_probe.0002_probe_note" in output


def test_a_schema_left_as_migrate_schemas_would_leave_it(workspaces):
    ours, standard, _ = workspaces
    migrate()
    call_command("migrate_schemas", schema_name=standard, interactive=False, verbosity=0)

    mine, theirs = state(ours), state(standard)
    for part in mine:
        if part == "rows":  # 0003 writes the name of the schema it ran in
            assert mine[part] == {("filled", ours, 0)} and theirs[part] == {("filled", standard, 0)}
        else:
            assert mine[part] == theirs[part], part
    assert {(PROBE, "0004_probe_size"), (PROBE, "0003_probe_filled")} <= mine["applied"]


def test_a_run_python_migration_takes_the_standard_path_in_each_schema_between_sql_runs(workspaces):
    output = migrate()

    assert "2 migration(s) as plain SQL, 1 by the standard path" in output
    for schema in workspaces:
        assert fetch(f'SELECT label, note FROM "{schema}".migration_probe_probe') == {("filled", schema)}
        assert {"note", "size"} <= {name for name, *_ in columns(schema)}


def test_a_failing_schema_is_named_rolled_back_whole_and_finished_by_the_next_run(workspaces):
    first, broken, last = workspaces
    with connection.cursor() as cursor:  # the AddField of 0002 cannot run here
        cursor.execute(f'ALTER TABLE "{broken}".migration_probe_probe ADD COLUMN note integer')

    with pytest.raises(CommandError, match=f"1 schema\\(s\\) not migrated: {broken};"):
        migrate()

    for schema in (first, last):
        assert (PROBE, "0004_probe_size") in applied(schema)
    assert applied(broken) & {(PROBE, "0002_probe_note"), (PROBE, "0003_probe_filled")} == set()
    assert ("note", "integer", "YES", "") in columns(broken)
    assert fetch(f'SELECT count(*) FROM "{broken}".migration_probe_probe') == {(0,)}

    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE "{broken}".migration_probe_probe DROP COLUMN note')
    output = migrate()

    assert "3 schemas, 1 behind, 1 migrated, 0 failed" in output
    assert state(broken)["columns"] == state(first)["columns"]
    assert (PROBE, "0004_probe_size") in applied(broken)


def test_a_run_refuses_to_start_while_another_holds_the_lock(workspaces):
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    other.execute("SELECT pg_advisory_lock(hashtext(%s))", [LOCK])
    try:
        with pytest.raises(CommandError, match="Another migrate_workspaces run is in progress"):
            migrate()
    finally:
        other.close()
    assert (PROBE, "0002_probe_note") not in applied(workspaces[0])


def test_it_refuses_an_app_without_a_migration_name(db):
    with pytest.raises(CommandError, match="Give both app_label and migration_name"):
        migrate(PROBE)


def test_it_refuses_a_target_behind_the_template(db):
    with pytest.raises(CommandError, match="would have migrations unapplied"):
        migrate(PROBE, "0001_initial")


def test_only_atomic_migrations_without_python_for_the_tenant_reduce_to_sql(db):
    from django.db import migrations, models

    from tenants.workspace_migrations import _reduces_to_sql

    def migration(app: str, *operations, atomic: bool = True):
        made = migrations.Migration("0099_probe", app)
        made.operations, made.atomic = list(operations), atomic
        return made

    add = migrations.AddField("probe", "extra", models.IntegerField(default=0))
    python = migrations.RunPython(migrations.RunPython.noop)
    connection.set_schema("t_any_workspace")  # the router answers for a tenant schema
    assert _reduces_to_sql(migration(PROBE, add, migrations.RunSQL("SELECT 1")))
    assert not _reduces_to_sql(migration(PROBE, add, atomic=False))
    assert not _reduces_to_sql(migration(PROBE, add, python))
    assert not _reduces_to_sql(migration(PROBE, migrations.SeparateDatabaseAndState(database_operations=[python])))
    assert _reduces_to_sql(migration("subscriptions", python))  # a shared app's Python never runs in a tenant schema
