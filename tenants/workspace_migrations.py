"""Apply pending tenant migrations to every workspace schema: plain SQL computed once, one transaction per schema.

Schemas are grouped by the migrations they have applied (their ``django_migrations``
rows). For each group the plan is cut into runs of migrations: a run that reduces to
plain SQL has its SQL collected once (Django's own ``sqlmigrate`` machinery, against the
group's first schema, checked against its last) and is applied to every schema of the
group over a few connections, each schema in one transaction holding the DDL, the
``django_migrations`` rows (the per-schema marker of what is applied) and the content
types and permissions the template gained. A migration that cannot be plain SQL
(``RunPython``, a non-atomic migration, or SQL that differs between two schemas) takes
django-tenants' standard per-schema path. A schema that fails is rolled back whole,
named, and left out of the rest of its group; the others carry on. A re-run reads the
rows again, so it retries exactly the schemas left behind.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from django_tenants.utils import schema_exists

from tenants.models import Organization

LOCK = "unison:migrate_workspaces"
_FINGERPRINT_CHUNK = 500


class MigrateRefused(Exception):
    """The run cannot start (another run holds the lock, or the plan goes backwards)."""


@dataclass
class Report:
    """What a run did: schemas considered, migrations applied by each path, schemas that failed and why."""

    schemas: int = 0
    behind: int = 0
    by_sql: set[str] = field(default_factory=set)
    by_standard: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    sql_seconds: float = 0.0  # of ``seconds``, the time spent applying SQL runs to the schemas

    def summary(self) -> str:
        """Return the one-line summary the command ends with."""
        done = self.behind - len(self.failed)
        line = (
            f"migrate_workspaces: {self.schemas} schemas, {self.behind} behind, {done} migrated, "
            f"{len(self.failed)} failed; {len(self.by_sql)} migration(s) as plain SQL, "
            f"{len(self.by_standard)} by the standard path; {self.seconds:.1f} s ({self.sql_seconds:.1f} s applying SQL)"
        )
        if self.failed:
            line += "; left behind (run again to retry): " + ", ".join(sorted(self.failed))
        return line


def workspace_schemas() -> list[str]:
    """Return the schema of every organisation that has one, in name order."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        existing = {row[0] for row in cursor.fetchall()}
    names = Organization.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    return sorted(name for name in names if name in existing)


def schemas_by_applied(schemas: list[str]) -> dict[str, list[str]]:
    """Group schemas by a digest of their applied migrations: one query per 500 schemas."""
    groups: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(schemas), _FINGERPRINT_CHUNK):
        chunk = schemas[start : start + _FINGERPRINT_CHUNK]
        sql = " UNION ALL ".join(
            f"SELECT {_literal(name)}, md5(coalesce(string_agg(app || '.' || name, ',' ORDER BY app, name), '')) "
            f'FROM "{name}".django_migrations'
            for name in chunk
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            for name, digest in cursor.fetchall():
                groups[digest].append(name)
    return groups


def workspaces_migrate(
    *,
    target: tuple[str, str] | None = None,
    workers: int = 4,
    include_template: bool = True,
    progress: Callable[[str], None] = lambda line: None,
) -> Report:
    """Bring the template, then every workspace schema, to ``target`` (default: the latest migrations)."""
    started = time.perf_counter()
    report = Report()
    with _run_lock():
        if include_template:
            _template_migrate(target)
        schemas = workspace_schemas()
        report.schemas = len(schemas)
        for members in schemas_by_applied(schemas).values():
            loader, runs = _plan(members[0], target)
            if not runs:
                continue
            report.behind += len(members)
            count = sum(len(run) for _, run in runs)
            progress(f"{len(members)} schema(s) lack {count} migration(s), from {_names(runs[0][1][:1])}")
            _group_migrate(members, loader, runs, report, workers, progress)
    report.seconds = time.perf_counter() - started
    return report


def _group_migrate(members, loader, runs, report: Report, workers: int, progress) -> None:
    """Apply ``runs`` to every schema of one group, run by run, dropping the schemas that fail."""
    for plain, run in runs:
        alive = [name for name in members if name not in report.failed]
        if not alive:
            return
        sql = _run_sql(loader, alive, run) if plain else None
        if sql is None:
            report.by_standard.update(_keys(run))
            for index, name in enumerate(alive, 1):
                for migration in run:
                    try:
                        _standard_migrate(name, (migration.app_label, migration.name))
                    except Exception as exc:  # any failure of the migration's own code names the schema
                        report.failed[name] = f"{migration.app_label}.{migration.name}: {exc}"
                        break
                if index == len(alive) or index % max(1, len(alive) // 20) == 0:
                    _progress_line(progress, index, len(alive), run, len(report.failed))
        else:
            report.by_sql.update(_keys(run))
            started = time.perf_counter()
            _apply_everywhere(alive, sql + _records_sql(run), report, workers, progress, run)
            report.sql_seconds += time.perf_counter() - started


def _plan(schema: str, target):
    """Return the migration loader of ``schema`` and its forward plan cut into runs (see ``_runs``).

    Refuse a plan that unapplies. The loader serves every schema with the same applied migrations.
    """
    connection.set_schema(schema)
    try:
        executor = MigrationExecutor(connection)
        targets = [target] if target else executor.loader.graph.leaf_nodes()
        steps = executor.migration_plan(targets)
        if any(backwards for _, backwards in steps):
            raise MigrateRefused(f"Schema {schema} would have migrations unapplied; use migrate_schemas for that.")
        return executor.loader, list(_runs([migration for migration, _ in steps]))  # the router answers for a tenant
    finally:
        connection.set_schema_to_public()


def _runs(plan):
    """Yield (plain, migrations): consecutive migrations that reduce to SQL together, the others one by one."""
    run: list = []
    for migration in plan:
        if _reduces_to_sql(migration):
            run.append(migration)
            continue
        if run:
            yield True, run
            run = []
        yield False, [migration]
    if run:
        yield True, run


def _reduces_to_sql(migration) -> bool:
    """Return whether every operation the tenant schema runs for ``migration`` is SQL (no Python, atomic)."""
    if not migration.atomic:
        return False
    operations = list(migration.operations)
    while operations:
        operation = operations.pop()
        if isinstance(operation, SeparateDatabaseAndState):
            operations.extend(operation.database_operations)
        elif not operation.reduces_to_sql or isinstance(operation, RunPython):
            if router.allow_migrate(connection.alias, migration.app_label, **operation.hints):
                return False
    return True


def _run_sql(loader, schemas: list[str], run) -> str | None:
    """Return the SQL of ``run`` for the first schema if the last schema gets the same SQL; else None."""
    samples = {schemas[0], schemas[-1]}
    texts = set()
    for schema in samples:
        connection.set_schema(schema)
        try:
            statements = loader.collect_sql([(migration, False) for migration in run])
        finally:
            connection.set_schema_to_public()
        text = "\n".join(line for line in statements if not line.lstrip().startswith("--"))
        if f'"{schema}"' in text or f"{schema}." in text:
            return None
        texts.add(text)
    return texts.pop() if len(texts) == 1 else None


def _records_sql(run) -> str:
    """Return the SQL recording ``run`` as applied, and copying the template's new content types and permissions."""
    keys = []
    for migration in run:
        keys += list(migration.replaces) + [(migration.app_label, migration.name)]
    values = ", ".join(f"({_literal(app)}, {_literal(name)}, now())" for app, name in keys)
    template = settings.UNISON_TEMPLATE_SCHEMA
    return f"""
INSERT INTO django_migrations (app, name, applied) VALUES {values};
INSERT INTO django_content_type (app_label, model)
  SELECT t.app_label, t.model FROM "{template}".django_content_type t
  WHERE NOT EXISTS (SELECT 1 FROM django_content_type c WHERE c.app_label = t.app_label AND c.model = t.model);
INSERT INTO auth_permission (name, content_type_id, codename)
  SELECT p.name, c.id, p.codename FROM "{template}".auth_permission p
  JOIN "{template}".django_content_type tc ON tc.id = p.content_type_id
  JOIN django_content_type c ON c.app_label = tc.app_label AND c.model = tc.model
  WHERE NOT EXISTS (SELECT 1 FROM auth_permission x WHERE x.content_type_id = c.id AND x.codename = p.codename);
"""


def _apply_everywhere(schemas, sql: str, report: Report, workers: int, progress, run) -> None:
    """Run ``sql`` in each schema, one transaction each, over ``workers`` connections of their own."""
    pending: queue.Queue[str] = queue.Queue()
    for name in schemas:
        pending.put(name)
    finished: list[str] = []
    lock = threading.Lock()

    def work():
        try:
            while True:
                try:
                    name = pending.get_nowait()
                except queue.Empty:
                    return
                error = _apply_one(name, sql)
                with lock:
                    finished.append(name)
                    if error:
                        report.failed[name] = f"{_names(run)}: {error}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, min(workers, len(schemas))))]
    for thread in threads:
        thread.start()
    shown = 0
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.5)
        if len(finished) - shown >= max(1, len(schemas) // 20):
            shown = len(finished)
            _progress_line(progress, shown, len(schemas), run, len(report.failed))
    for thread in threads:
        thread.join()
    _progress_line(progress, len(finished), len(schemas), run, len(report.failed))


def _apply_one(schema: str, sql: str) -> str | None:
    """Apply ``sql`` inside ``schema`` in one transaction; return the error, or None if it committed."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL search_path TO "{schema}"')
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc).strip().splitlines()[0]
    return None


def _template_migrate(target) -> None:
    """Create the template if it is missing, else migrate it by the standard path when it is behind."""
    from tenants.template import template_schema_ensure

    template = settings.UNISON_TEMPLATE_SCHEMA
    if not schema_exists(template):
        template_schema_ensure()
    if _plan(template, target)[1]:
        _standard_migrate(template, target)


def _standard_migrate(schema: str, target) -> None:
    """Migrate one schema the way migrate_schemas does (django-tenants' standard executor)."""
    args = list(target) if target else []
    call_command("migrate_schemas", *args, schema_name=schema, interactive=False, verbosity=0)
    connection.set_schema_to_public()


class _run_lock:
    """Hold a session advisory lock for the run on a connection of its own (the standard path closes Django's)."""

    def __enter__(self):
        self.session = connection.get_new_connection(connection.get_connection_params())
        self.session.autocommit = True
        if not self.session.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK]).fetchone()[0]:
            self.session.close()
            raise MigrateRefused("Another migrate_workspaces run is in progress.")

    def __exit__(self, *exc):
        self.session.close()  # closing the session releases its lock


def _progress_line(progress, done: int, total: int, run, failed: int) -> None:
    progress(f"[{done}/{total}] {_names(run)}: {failed} failed so far")


def _keys(run) -> list[str]:
    return [f"{migration.app_label}.{migration.name}" for migration in run]


def _names(run) -> str:
    return ", ".join(f"{migration.app_label}.{migration.name}" for migration in run)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
