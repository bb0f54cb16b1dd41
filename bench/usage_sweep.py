"""Benchmark the usage sweep across tenant schemas against a naive per-schema ORM loop.

Builds ``--tenants`` organisations (default 200) in a scratch database
(``unison_bench_usage`` on the server of ``DATABASE_URL``; created first, dropped at
the end), each by the real clone path (``organization_create_with_trial``), with a
few users, plants and files. Then, in the same run, best of ``--repeat``:

- ``ms_per_tenant``: ``subscriptions.lifecycle.usage_track_all`` (the job behind
  ``manage.py track_usage``): users and plants of 100 schemas per SQL query, one
  bulk insert of snapshots per batch;
- ``naive_ms_per_tenant``: for each tenant, ``schema_context`` + ``User.objects.count()``
  + ``Plant.objects.count()`` + the file walk + ``UsageSnapshot.objects.create()``.

Both must record the same figures. ``ratio`` is naive / sweep.

    .venv/bin/python bench/usage_sweep.py [--tenants 200] [--repeat 3] [--keep]

The last line is JSON: {"bench": "usage_sweep", "tenants", "ms_per_tenant", "naive_ms_per_tenant", "ratio"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "unison_bench_usage"


def scratch_database(*, drop_only: bool = False) -> str:
    """Drop the scratch database and, unless ``drop_only``, create it empty; return its URL."""
    from bench.scratch import scratch_database as recreate

    return recreate(SCRATCH_DB, drop_only=drop_only)


def build(count: int, media_root: Path) -> None:
    """Provision ``count`` tenants by cloning the template, each with users, plants and a file."""
    from django.test import override_settings
    from django_tenants.utils import schema_context

    from accounts.models import User
    from shopfloor.models import Plant
    from subscriptions.services import organization_create_with_trial

    started = time.perf_counter()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for i in range(count):
            slug = f"bench-{i:04d}"
            org = organization_create_with_trial(
                name=f"Bench {i}", slug=slug, owner_email=f"owner@{slug}.example.com",
                owner_password="bench-password-123", owner_name="Bench Owner",
            )
            with schema_context(org.schema_name):
                for n in range(i % 4):
                    User.objects.create_user(email=f"user{n}@{slug}.example.com", password="x", role="member")
                for n in range(i % 3):
                    Plant.objects.create(name=f"Plant {n}", code=f"P-{n}")
            folder = media_root / org.schema_name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "drawing.bin").write_bytes(b"x" * (100 * (i + 1)))
            if (i + 1) % 20 == 0 or i + 1 == count:
                print(f"[{i + 1}/{count}] provisioned {slug} ({time.perf_counter() - started:.0f} s)", flush=True)


def naive_sweep(organizations) -> list[tuple[int, int, int, int]]:
    """Measure and record each tenant one by one with the ORM; return (org id, users, plants, bytes)."""
    from django_tenants.utils import schema_context

    from accounts.models import User
    from shopfloor.models import Plant
    from subscriptions.models import UsageSnapshot
    from subscriptions.usage import storage_bytes_used

    figures = []
    for org in organizations:
        with schema_context(org.schema_name):
            users = User.objects.filter(is_active=True).count()
            plants = Plant.objects.count()
        storage = storage_bytes_used(org)
        UsageSnapshot.objects.create(organization=org, users=users, plants=plants, storage_bytes=storage)
        figures.append((org.pk, users, plants, storage))
    return figures


def best_ms(run, repeat: int):
    """Return (best wall time in ms, last result) of ``repeat`` runs."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")
    args = parser.parse_args()
    if args.tenants < 1 or args.repeat < 1:
        parser.error("--tenants and --repeat must be 1 or more")

    media = tempfile.TemporaryDirectory(prefix="unison-bench-media-")
    os.environ.update(
        DATABASE_URL=scratch_database(), DJANGO_SETTINGS_MODULE="unison.settings.base", MEDIA_ROOT=media.name,
        EMAIL_URL="dummymail://", CELERY_TASK_ALWAYS_EAGER="1",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from subscriptions.lifecycle import organizations_to_measure, usage_track_all
    from tenants.template import template_schema_ensure

    try:
        print("migrating the scratch database and the template schema ...", flush=True)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_schema_ensure()
        build(args.tenants, Path(media.name))
        organizations = list(organizations_to_measure())

        sweep_ms, snapshots = best_ms(lambda: usage_track_all(), args.repeat)
        naive_ms, naive = best_ms(lambda: naive_sweep(organizations), args.repeat)
        swept = sorted((s.organization_id, s.users, s.plants, s.storage_bytes) for s in snapshots)
        if swept != sorted(naive):
            print("the two ways measured different figures", file=sys.stderr)
            return 1
        n = len(organizations)
        print(f"sweep: {sweep_ms:.1f} ms for {n} tenants; naive loop: {naive_ms:.1f} ms")
        print(json.dumps({
            "bench": "usage_sweep",
            "tenants": n,
            "ms_per_tenant": round(sweep_ms / n, 3),
            "naive_ms_per_tenant": round(naive_ms / n, 3),
            "ratio": round(naive_ms / sweep_ms, 2),
        }))
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database(drop_only=True)
        media.cleanup()


if __name__ == "__main__":
    sys.exit(main())
