"""Benchmark the console's metrics: aggregate SQL against a naive per-organisation loop.

Builds ``--orgs`` organisations (default 10,000) with subscriptions, event history,
add-ons and usage snapshots straight into the public tables of a scratch database
(``unison_bench_console`` on the server of ``DATABASE_URL``; created first, dropped at
the end; no tenant schemas are needed). Then, in the same run:

- ``ms``: the metrics API (``GET /api/v1/admin/metrics`` through the full Django stack),
  median of ``--repeat`` runs, and the number of queries it ran;
- ``dashboard_ms``: the console's dashboard page (``GET /admin/``: figures, 30-day charts,
  expiring trials, recent signups) and its queries;
- ``naive_ms``: the same headline figures computed organisation by organisation
  (subscription, add-ons and latest snapshot fetched per organisation), the way an
  N+1 loop would; its figures must equal the API's.

Queries are also counted on the first 100 organisations, to show they do not grow.

    .venv/bin/python bench/console.py [--orgs 10000] [--repeat 5]

The last line is JSON: {"bench": "console", "orgs", "queries", "ms", "naive_ms", "ratio", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "unison_bench_console"
STATUSES = ["active"] * 5 + ["past_due", "trialing", "trialing", "suspended", "cancelled"]


def scratch_database(*, drop_only: bool = False) -> str:
    """Drop the scratch database and, unless ``drop_only``, create it empty; return its URL."""
    from bench.scratch import scratch_database as recreate

    return recreate(SCRATCH_DB, drop_only=drop_only)


def build(first: int, count: int) -> None:
    """Bulk-create ``count`` organisations numbered from ``first``, with history and usage."""
    from django.utils import timezone

    from subscriptions.models import Subscription, SubscriptionAddOn, SubscriptionEvent, UsageSnapshot
    from tenants.models import Organization

    now = timezone.now()
    numbers = range(first, first + count)
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Org {i:05d}", slug=f"org-{i}", schema_name=f"org_{i}", email=f"owner@org-{i}.example.com",
            created_at=now - timedelta(days=i % 120, hours=i % 24),
        )
        for i in numbers
    )
    subs = Subscription.objects.bulk_create(
        Subscription(
            organization=org, tier=["starter", "professional", "enterprise"][i % 3], status=STATUSES[i % 10],
            billing_cycle=["monthly", "annual"][i % 2], created_at=org.created_at,
        )
        for i, org in zip(numbers, orgs, strict=True)
    )
    events = []
    for sub in subs:
        start = sub.created_at
        events.append(SubscriptionEvent(subscription=sub, transition="start_trial", from_status="trialing", to_status="trialing", created_at=start))
        if sub.status != "trialing":
            paid = sub.status != "suspended"
            events.append(SubscriptionEvent(
                subscription=sub, transition="convert" if paid else "expire_trial", from_status="trialing",
                to_status="active" if paid else "suspended", created_at=min(start + timedelta(days=14), now),
            ))
        if sub.status in ("past_due", "cancelled"):
            events.append(SubscriptionEvent(
                subscription=sub, transition="payment_failed" if sub.status == "past_due" else "cancel",
                from_status="active", to_status=sub.status, created_at=now - timedelta(hours=1),
            ))
    SubscriptionEvent.objects.bulk_create(events)
    SubscriptionAddOn.objects.bulk_create(
        SubscriptionAddOn(subscription=sub, kind="extra_user", quantity=2, unit_price_cents=500) for sub in subs[::5]
    )
    UsageSnapshot.objects.bulk_create(
        UsageSnapshot(organization=org, users=(i * 7) % 40, plants=i % 7, storage_bytes=i * 1_000_000, measured_at=now - timedelta(hours=h))
        for i, org in zip(numbers, orgs, strict=True)
        for h in (30, 6)
    )


def naive_metrics() -> dict:
    """Return the headline figures the N+1 way: a few queries per organisation."""
    from subscriptions.models import Subscription, UsageSnapshot
    from tenants.models import Organization

    figures = {"organizations": 0, "active_subscriptions": 0, "trials": 0, "mrr_cents": 0, "users": 0, "plants": 0}
    for org in Organization.objects.all():
        figures["organizations"] += 1
        sub = Subscription.objects.filter(organization=org).first()
        if sub is not None and sub.status in ("active", "past_due"):
            figures["active_subscriptions"] += 1
            figures["mrr_cents"] += sub.plan.monthly_equivalent_cents(sub.billing_cycle)
            figures["mrr_cents"] += sum(a.quantity * a.unit_price_cents for a in sub.add_ons.filter(removed_at__isnull=True))
        elif sub is not None and sub.status == "trialing":
            figures["trials"] += 1
        latest = UsageSnapshot.objects.filter(organization=org).order_by("-measured_at", "-id").first()
        if latest is not None:
            figures["users"] += latest.users
            figures["plants"] += latest.plants
    return figures


def timed(call, repeat: int) -> tuple[float, int, object]:
    """Return the median milliseconds of ``call``, the queries of its last run, and its result."""
    from django.db import connection

    samples, result, counted = [], None, []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    for _ in range(repeat):
        counted.clear()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = call()
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), len(counted), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = scratch_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unison.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    try:
        print(f"[1/5] migrating the public schema of {SCRATCH_DB}", flush=True)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        operator = User.objects.create_superuser("bench@unison.local", "bench-password-1234")
        client = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
        client.force_login(operator)

        def api():
            response = client.get("/api/v1/admin/metrics")
            assert response.status_code == 200, response.content
            return response.json()

        def dashboard():
            response = client.get("/admin/")
            assert response.status_code == 200
            return response

        print("[2/5] 100 organisations: counting queries", flush=True)
        build(0, min(100, args.orgs))
        _ms, small_queries, _ = timed(api, 1)
        _ms, small_dashboard_queries, _ = timed(dashboard, 1)

        print(f"[3/5] building {args.orgs:,} organisations", flush=True)
        for first in range(100, args.orgs, 2_000):
            build(first, min(2_000, args.orgs - first))
            print(f"      {min(first + 2_000, args.orgs):,} / {args.orgs:,}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum keeps them in production

        print("[4/5] timing the metrics API and the dashboard", flush=True)
        ms, queries, figures = timed(api, args.repeat)
        dashboard_ms, dashboard_queries, _ = timed(dashboard, args.repeat)

        print("[5/5] timing the naive per-organisation loop", flush=True)
        naive_ms, naive_queries, naive = timed(naive_metrics, 1)
        for key, value in naive.items():
            assert figures[key] == value, f"{key}: API {figures[key]} != naive {value}"
        summary = {
            "bench": "console",
            "orgs": figures["organizations"],
            "queries": queries,
            "queries_at_100_orgs": small_queries,
            "ms": round(ms, 1),
            "naive_ms": round(naive_ms, 1),
            "naive_queries": naive_queries,
            "ratio": round(naive_ms / ms, 1),
            "dashboard_ms": round(dashboard_ms, 1),
            "dashboard_queries": dashboard_queries,
            "dashboard_queries_at_100_orgs": small_dashboard_queries,
            "mrr_cents": figures["mrr_cents"],
        }
        print(f"done: metrics API {ms:.0f} ms in {queries} queries vs naive {naive_ms:.0f} ms in {naive_queries} queries")
        print(json.dumps(summary))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database(drop_only=True)


if __name__ == "__main__":
    main()
