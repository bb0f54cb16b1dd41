"""Benchmark tenant provisioning: django-tenants' migrate path against our template clone.

Both paths create the same thing per tenant, in one transaction: the
``Organization`` row, its ``Domain`` row and a schema with every tenant table.
The default path runs ``CREATE SCHEMA`` and every migration for that schema
(``TenantMixin.create_schema`` without a base schema); ours clones the migrated
template schema (``tenants.template.schema_clone``). The two paths alternate,
tenant by tenant, so both see the catalogue grow alike.

Runs in a scratch database (``unison_bench_provisioning`` on the server of
``DATABASE_URL``) that is created first and dropped at the end.

    .venv/bin/python bench/provisioning.py [--n 100]

The last line is JSON: milliseconds per tenant for each path, their ratio, and
the cost of our first and last tenants (each the median of the first and last
``max(1, n // 20)`` tenants, so one noisy sample cannot decide it).
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "unison_bench_provisioning"


def tenant_create(index: int, way: str) -> float:
    """Create one tenant the given way (default, library or ours) and return the milliseconds it took."""
    from django.conf import settings
    from django.db import connection, transaction
    from django_tenants.clone import CloneSchema

    from tenants.models import Domain, Organization
    from tenants.template import schema_clone

    slug = f"bench-{way}-{index}"
    started = time.perf_counter()
    with transaction.atomic():
        organization = Organization.objects.create(
            name=f"Bench {way} {index}", slug=slug, schema_name=f"b_{way}_{index}", email=f"owner@{slug}.example.com"
        )
        Domain.objects.create(domain=organization.host, tenant=organization, is_primary=True)
        if way == "default":
            organization.create_schema(check_if_exists=False, verbosity=0)
        elif way == "library":  # django-tenants' clone_tenant command: its clone_schema() SQL function
            CloneSchema().clone_schema(settings.UNISON_TEMPLATE_SCHEMA, organization.schema_name, set_connection=False)
        else:
            schema_clone(organization.schema_name)
    elapsed = (time.perf_counter() - started) * 1000
    connection.set_schema_to_public()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="tenants to create each way (default 100)")
    args = parser.parse_args()
    if args.n < 1:
        parser.error("--n must be at least 1")

    # A plain kill still drops the scratch database (the finally clause below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from bench.scratch import scratch_database, scratch_django

    try:
        scratch_django(SCRATCH_DB)
        from django.db import connections

        timings: dict[str, list[float]] = {"default": [], "ours": []}
        for index in range(1, args.n + 1):
            for way in ("default", "ours"):
                timings[way].append(tenant_create(index, way))
            if index == 1 or index % 10 == 0 or index == args.n:
                print(
                    f"[{index}/{args.n}] default {timings['default'][-1]:.0f} ms, ours {timings['ours'][-1]:.0f} ms",
                    flush=True,
                )
        connections.close_all()
    finally:
        scratch_database(SCRATCH_DB, drop_only=True)

    ours = timings["ours"]
    window = max(1, args.n // 20)
    default_ms = statistics.mean(timings["default"])
    ours_ms = statistics.mean(ours)
    result = {
        "bench": "provisioning",
        "n": args.n,
        "default_ms": round(default_ms, 1),
        "ours_ms": round(ours_ms, 1),
        "ratio": round(default_ms / ours_ms, 1),
        "first_ms": round(statistics.median(ours[:window]), 1),
        "last_ms": round(statistics.median(ours[-window:]), 1),
    }
    print(
        f"summary: {args.n} tenants each way; ours is {result['ratio']}x faster; "
        f"last/first = {result['last_ms'] / result['first_ms']:.2f}",
        flush=True,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
