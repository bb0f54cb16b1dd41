"""Benchmark many workspaces on one PostgreSQL: provisioning as the catalog grows, its size, a backend's
memory, and one migration applied to every workspace.

In a scratch database (``<DATABASE_URL's database>_bench_scale`` on the same server, created first and
dropped at the end unless ``--keep``) it:

1. provisions ``--tenants`` workspaces one after another the product's way (Organization, Domain and a
   template clone in one transaction, bench/provisioning.py's ``tenant_create``) and, spread evenly
   through the run, ``--library-sample`` more by django-tenants' own ``clone_tenant`` path (its
   ``clone_schema()`` SQL function, from the same template), so both see the same catalog; each on a
   new connection; prints p50/p99 of the first and last 5 % of ours;
2. prints the catalog's size (rows and bytes of pg_class, pg_namespace, pg_attribute);
3. touches 100 workspaces spread over the range from one new connection (a few ORM reads in each) and
   prints that backend's memory: VmRSS and RssAnon from /proc, and its memory contexts;
4. applies a trivial AddField (tests/tenants/migration_probe 0002) with ``migrate_workspaces`` (ours)
   to every workspace, then with django-tenants' ``migrate_schemas --tenant`` and its standard and its
   multiprocessing executors to ``--baseline-schemas`` of them spread over the range (their cost per
   schema does not depend on how many there are, and all N by the standard path would take longer
   than the rest of the run together); the schemas are put back between runs, and each run is
   checked to have added the column and its record in every schema it was given.

    .venv/bin/python bench/scale.py [--tenants 100] [--library-sample 10] [--workers 4]
        [--baseline-schemas 30] [--keep]

The last line is JSON with ``last_over_first`` (p50 of the last 5 % over the first 5 %),
``vs_library_clone`` (median library clone over median of ours), ``migrate_s_per_schema`` (ours,
all N schemas, template included) and ``migrate_vs_standard`` (the standard executor's seconds per
schema over ours), among others.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PROBE, ADD_FIELD = "migration_probe", "0002_probe_note"


def scratch_name() -> str:
    configured = urlsplit(os.environ.get("DATABASE_URL", "postgres:///unison")).path.lstrip("/") or "unison"
    return f"{configured}_bench_scale"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def provision(count: int, sample: int) -> tuple[list[float], list[float]]:
    """Create ``count`` workspaces our way and ``sample`` by the library's clone, interleaved; return both timings."""
    from django.conf import settings
    from django.db import connection

    from bench.provisioning import tenant_create
    from tenants.template import clone_statements

    clone_statements(settings.UNISON_TEMPLATE_SCHEMA)  # read once per process (as in a web worker), not per tenant
    ours, library = [], []
    window = max(1, count // 20)
    # The library's clones fall between the first and the last 5 %, so they never sit next to those samples.
    middle = range(window + 1, count - window)
    at = {middle[round(i * (len(middle) - 1) / max(1, sample - 1))] for i in range(sample)} if sample else set()
    for index in range(1, count + 1):
        ours.append(tenant_create(index, "ours"))
        # Each on a new connection, as a signup request gets one with CONN_MAX_AGE=0: one backend that made
        # every schema would carry all their relations in its caches, and its slowdown is not the catalog's.
        connection.close()
        if index in at:
            library.append(tenant_create(index, "library"))
            connection.close()
        if index == 1 or index % max(1, count // 20) == 0:
            print(f"[{index}/{count}] ours {ours[-1]:.0f} ms; library clones so far {len(library)}", flush=True)
    return ours, library


def catalog_size() -> dict[str, int]:
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in ("pg_class", "pg_namespace", "pg_attribute"):
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}")
            sizes[f"{table}_rows"], sizes[f"{table}_bytes"] = cursor.fetchone()
    return sizes


def backend_memory(schemas: list[str]) -> dict[str, float]:
    """Touch ``schemas`` from one new connection with a few ORM reads each; return that backend's memory in MB."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from accounts.models import User
    from shopfloor.models import Plant, WorkOrder

    connection.close()

    def measure() -> dict[str, float]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), sum(total_bytes) FROM pg_backend_memory_contexts")
            pid, contexts = cursor.fetchone()
        status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        kb = {key: int(status[key].split()[0]) for key in ("VmRSS", "RssAnon")}
        return {"rss_mb": kb["VmRSS"] / 1024, "anon_mb": kb["RssAnon"] / 1024, "contexts_mb": float(contexts) / 2**20}

    before = measure()
    for schema in schemas:
        with schema_context(schema):
            User.objects.filter(is_active=True).count()
            list(Plant.objects.all()[:5])
            WorkOrder.objects.filter(pk=1).exists()
    after = measure()
    connection.set_schema_to_public()
    return {f"{key}_before": round(value, 1) for key, value in before.items()} | {
        key: round(value, 1) for key, value in after.items()
    }


def probe_state(schemas: list[str]) -> int:
    """Return how many schemas have both the probe's new column and its migration record."""
    from django.db import connection

    records = " UNION ALL ".join(
        f"SELECT '{s}' FROM \"{s}\".django_migrations WHERE app = '{PROBE}' AND name = '{ADD_FIELD}'" for s in schemas
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = 'migration_probe_probe' AND a.attname = 'note' AND NOT a.attisdropped
              AND n.nspname IN ({records})
            """
        )
        return cursor.fetchone()[0]


def probe_reset(schemas: list[str]) -> None:
    """Put every schema back before the AddField: its column dropped, its record deleted."""
    from django.db import connection

    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                f'ALTER TABLE "{schema}".migration_probe_probe DROP COLUMN note; '
                f"DELETE FROM \"{schema}\".django_migrations WHERE app = '{PROBE}' AND name = '{ADD_FIELD}';"
            )


def timed_migration(label: str, schemas: list[str], run) -> float:
    """Run one way of applying the AddField, check it reached every schema, reset them; return seconds."""
    from django.db import connection

    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    connection.close()  # the multiprocessing executor forks; start again on a fresh connection
    done = probe_state(schemas)
    if done != len(schemas):
        raise SystemExit(f"{label}: the AddField reached {done} of {len(schemas)} schemas")
    print(f"migrate {label}: {len(schemas)} schemas in {seconds:.1f} s ({seconds / len(schemas) * 1000:.1f} ms each)",
          flush=True)
    probe_reset(schemas)
    return seconds


def library_migrate(codename: str, schemas: list[str]) -> None:
    """Run django-tenants' migrate_schemas --tenant with executor ``codename`` over ``schemas`` only.

    The command's own options and executor; only its list of tenants (every organisation) is ours.
    """
    from django_tenants.management.commands import SyncCommon
    from django_tenants.management.commands.migrate_schemas import Command
    from django_tenants.migration_executors import get_executor

    command = Command()
    argv = [PROBE, ADD_FIELD, "--tenant", "--noinput", "-v", "0", f"--executor={codename}"]
    options = {**vars(command.create_parser("manage.py", "migrate_schemas").parse_args(argv)), "skip_checks": True}
    SyncCommon.handle(command, **options)
    get_executor(codename=codename)(command.args, command.options).run_migrations(tenants=list(schemas))


def migrations(schemas: list[str], workers: int, baseline_count: int) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection

    from tenants.workspace_migrations import workspaces_migrate

    reports = []

    def ours():
        reports.append(workspaces_migrate(target=(PROBE, ADD_FIELD), workers=workers))
        print(reports[0].summary(), flush=True)

    seconds = {"ours": timed_migration("ours (migrate_workspaces)", schemas, ours) / len(schemas)}
    seconds["ours_sql"] = reports[0].sql_seconds / len(schemas)  # without the template and the plan: the part that grows with N
    # Ours moved the template to 0002; it is put back too, so each run starts from the same place.
    call_command("migrate_schemas", PROBE, "0001_initial", schema_name=settings_template(), interactive=False,
                 verbosity=0)
    connection.set_schema_to_public()
    sample = schemas[:: max(1, len(schemas) // baseline_count)][:baseline_count] if baseline_count else []
    for codename in ("standard", "multiprocessing") if sample else ():
        run = timed_migration(f"migrate_schemas {codename}", sample, partial(library_migrate, codename, sample))
        seconds[codename] = run / len(sample)
    return seconds


def settings_template() -> str:
    from django.conf import settings

    return settings.UNISON_TEMPLATE_SCHEMA


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=100, help="workspaces to provision our way (default 100)")
    parser.add_argument("--library-sample", type=int, default=10,
                        help="workspaces to provision by django-tenants' clone_schema() as well (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="connections of migrate_workspaces (default 4)")
    parser.add_argument("--baseline-schemas", type=int, default=30,
                        help="schemas (spread over the range) that migrate_schemas migrates each way (default 30; 0: none)")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database behind")
    args = parser.parse_args()
    if args.tenants < 100:
        parser.error("--tenants must be at least 100 (the memory figure touches 100 workspaces)")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from bench.scratch import scratch_database, scratch_django

    scratch = scratch_name()  # before DATABASE_URL points at the scratch database itself
    try:
        scratch_django(scratch, settings_module="bench.scale_settings")
        from django.core.management import call_command
        from django.db import connections

        from tenants.workspace_migrations import workspace_schemas

        # The template stands before the AddField, so every workspace cloned from it does too.
        call_command("migrate_schemas", PROBE, "0001_initial", schema_name=settings_template(), interactive=False,
                     verbosity=0)

        ours, library = provision(args.tenants, args.library_sample)
        catalog = catalog_size()
        print("catalog: " + ", ".join(f"{key} {value}" for key, value in catalog.items()), flush=True)
        schemas = workspace_schemas()
        memory = backend_memory(schemas[:: max(1, len(schemas) // 100)][:100])
        print("backend after 100 workspaces: " + ", ".join(f"{k} {v}" for k, v in memory.items()), flush=True)
        per_schema = migrations(schemas, args.workers, min(args.baseline_schemas, len(schemas)))
        connections.close_all()
    finally:
        if not args.keep:
            scratch_database(scratch, drop_only=True)

    window = max(1, len(ours) // 20)
    first, last = ours[:window], ours[-window:]
    result = {
        "bench": "scale",
        "tenants": args.tenants,
        "schemas_migrated": len(schemas),
        "first_p50_ms": round(statistics.median(first), 1),
        "first_p99_ms": round(percentile(first, 0.99), 1),
        "last_p50_ms": round(statistics.median(last), 1),
        "last_p99_ms": round(percentile(last, 0.99), 1),
        "last_over_first": round(statistics.median(last) / statistics.median(first), 2),
        "library_clone_ms": round(statistics.median(library), 1) if library else None,
        "vs_library_clone": round(statistics.median(library) / statistics.median(ours), 1) if library else None,
        **catalog,
        **{f"backend_{key}": value for key, value in memory.items()},
        "migrate_s": round(per_schema["ours"] * len(schemas), 2),
        "migrate_s_per_schema": round(per_schema["ours"], 4),
        "migrate_sql_s_per_schema": round(per_schema["ours_sql"], 4),
    }
    if "standard" in per_schema:
        result |= {
            "baseline_schemas": min(args.baseline_schemas, len(schemas)),
            "standard_s_per_schema": round(per_schema["standard"], 4),
            "multiprocessing_s_per_schema": round(per_schema["multiprocessing"], 4),
            "migrate_vs_standard": round(per_schema["standard"] / per_schema["ours"], 1),
            "migrate_vs_multiprocessing": round(per_schema["multiprocessing"] / per_schema["ours"], 1),
        }
    print(
        f"summary: {args.tenants} workspaces; last/first {result['last_over_first']}; "
        f"{result['vs_library_clone']}x the library clone; AddField in {result['migrate_s_per_schema']} s a schema, "
        f"{result.get('migrate_vs_standard')}x the standard executor",
        flush=True,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
