"""Benchmark what a tenant request costs over a plain Django request, in one process.

In a scratch database (``<name of DATABASE_URL's database>_bench_request_path`` on the same server;
created first, dropped at the end unless ``--keep``) it provisions one workspace, then serves the
same small view (it reads the signed-in user, and on the tenant host the workspace's entitlements)
through Django's test client, in this process, two ways:

- **plain**: the project's middleware without the tenant ones (no host lookup, no search path,
  no entitlements), on the public host, signed in as a user of the public schema;
- **tenant**: every middleware, on the workspace's host, signed in as its owner: the host is
  resolved from the shared cache (``tenants.domain_cache``), the search path set, the
  entitlements read once.

Both run ``--iterations`` times (default 2000), in alternating blocks, after a warm-up; the figures are the
medians per request. ``extra_queries`` and ``extra_ms`` are tenant minus plain (goal: at most 1
query and 1 ms). The connection is kept between requests (as with ``CONN_MAX_AGE``), so a tenant
request after one of the same workspace needs no ``SET search_path``; ``switching_*`` are the same
view with every request in another workspace than the last (one SET each). It also reports the
queries and time of the tenant dashboard, as the owner sees it.

    REDIS_URL=redis://127.0.0.1:6379/<db> .venv/bin/python bench/request_path.py [--iterations 2000] [--keep]

The last line is JSON: {"bench": "request_path", "extra_queries", "extra_ms", "plain_ms", "tenant_ms", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TENANT_ONLY_MIDDLEWARE = (
    "tenants.middleware.TenantMiddleware",
    "subscriptions.middleware.EntitlementsMiddleware",
    "platform_admin.middleware.ImpersonationMiddleware",
)
BLOCK = 100  # requests timed in a row on one side before switching to the other


def scratch_name() -> str:
    """Return the scratch database's name: the configured database's, so two checkouts never share one."""
    from urllib.parse import urlsplit

    configured = urlsplit(os.environ.get("DATABASE_URL", "postgres:///unison")).path.lstrip("/") or "unison"
    return f"{configured}_bench_request_path"


def page(request):
    """Return the user's e-mail (and the plan, on a tenant host): a page's smallest honest work."""
    from django.http import HttpResponse

    text = request.user.email
    entitlements = getattr(request, "entitlements", None)
    if entitlements is not None:
        text += " " + entitlements.tier
    return HttpResponse(text)


def __getattr__(name):  # this module is the URL conf (public and tenant) while the bench runs
    if name == "urlpatterns":
        from django.urls import include, path

        return [path("bench/page/", page), path("", include("unison.urls_tenant"))]
    raise AttributeError(name)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def measure(client, url: str, iterations: int, queries: bool) -> list[float]:
    """Return each request's seconds, or with ``queries`` each request's number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for _ in range(iterations):
        if queries:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            results.append(len(captured.captured_queries))
        else:
            started = time.perf_counter()
            response = client.get(url)
            results.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")
    args = parser.parse_args()
    if args.iterations < 1:
        parser.error("--iterations must be 1 or more")

    from bench.scratch import scratch_database

    scratch = scratch_name()
    media = tempfile.TemporaryDirectory(prefix="unison-bench-media-")
    os.environ.update(DATABASE_URL=scratch_database(scratch), DJANGO_SETTINGS_MODULE="unison.settings.test",
                      MEDIA_ROOT=media.name, EMAIL_URL="dummymail://", CELERY_TASK_ALWAYS_EAGER="1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django_tenants.utils import schema_context

    from accounts.models import User
    from shopfloor.services import onboarding_step_complete
    from subscriptions.services import organization_create_with_trial
    from tenants.template import template_schema_ensure

    try:
        print("migrating the scratch database and the template schema ...", flush=True)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_schema_ensure()
        organization = organization_create_with_trial(
            name="Request Path Bench", slug="rp-bench", owner_name="Bench Owner",
            owner_email="owner@rp-bench.example.com", owner_password="bench-pass-123")
        neighbour = organization_create_with_trial(
            name="Request Path Neighbour", slug="rp-neighbour", owner_name="Bench Owner",
            owner_email="owner@rp-neighbour.example.com", owner_password="bench-pass-123")
        public_user = User.objects.create_user(email="plain@example.com", password="bench-pass-123")
        setup_test_environment()
        settings.ROOT_URLCONF = settings.PUBLIC_SCHEMA_URLCONF = "bench.request_path"
        settings.DEBUG = False

        # The test client loads its middleware at its first request: make that request under each stack.
        plain_middleware = [m for m in settings.MIDDLEWARE if m not in TENANT_ONLY_MIDDLEWARE]
        connection.set_schema_to_public()
        with override_settings(MIDDLEWARE=plain_middleware):
            plain = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
            plain.force_login(public_user)
            plain.get("/bench/page/")
        tenant = Client(HTTP_HOST=organization.host)
        with schema_context(organization.schema_name):
            for step in ("organization", "done"):  # the dashboard, not the setup wizard
                onboarding_step_complete(step=step)
            owner = User.objects.get(role="owner")
            tenant.force_login(owner)
        tenant.get("/bench/page/")
        other = Client(HTTP_HOST=neighbour.host)
        with schema_context(neighbour.schema_name):
            other.force_login(User.objects.get(role="owner"))
        other.get("/bench/page/")

        url = "/bench/page/"

        def plain_block(n: int, queries: bool = False) -> list[float]:
            # Plain Django has no schemas: put the connection back on public (as a tenant request left it
            # elsewhere) and let one untimed request set that search path, as a plain process's would stay.
            connection.set_schema_to_public()
            measure(plain, url, 1, queries=False)
            return measure(plain, url, n, queries)

        warm = max(50, args.iterations // 10)
        plain_block(warm)
        measure(tenant, url, warm, queries=False)
        plain_queries = statistics.median(plain_block(50, queries=True))
        tenant_queries = statistics.median(measure(tenant, url, 50, queries=True))
        print(f"timing {args.iterations} requests each, in alternating blocks of {BLOCK} ...", flush=True)
        plain_times, tenant_times = [], []
        for done in range(0, args.iterations, BLOCK):
            n = min(BLOCK, args.iterations - done)
            plain_times += plain_block(n)
            tenant_times += measure(tenant, url, n, queries=False)
        # The worst case for the search path: every request in another workspace than the last one.
        alternating = [other, tenant]
        switching_queries = [measure(alternating[i % 2], url, 1, queries=True)[0] for i in range(50)]
        switching_ms = median_ms([measure(alternating[i % 2], url, 1, queries=False)[0]
                                  for i in range(args.iterations)])
        dashboard_queries = statistics.median(measure(tenant, "/", 5, queries=True))
        dashboard_ms = median_ms(measure(tenant, "/", 200, queries=False))

        plain_ms, tenant_ms = median_ms(plain_times), median_ms(tenant_times)
        extra_queries, extra_ms = tenant_queries - plain_queries, tenant_ms - plain_ms
        print(f"summary: plain {plain_ms:.3f} ms and {plain_queries:g} queries; tenant (same workspace as the last request) {tenant_ms:.3f} ms and "
              f"{tenant_queries:g} queries: +{extra_queries:g} queries, +{extra_ms:.3f} ms a request "
              f"(medians of {args.iterations}); alternating workspaces {switching_ms:.3f} ms and "
              f"{statistics.median(switching_queries):g} queries; dashboard {dashboard_queries:g} queries, {dashboard_ms:.1f} ms",
              flush=True)
        print(json.dumps({
            "bench": "request_path", "iterations": args.iterations, "plain_ms": round(plain_ms, 3),
            "tenant_ms": round(tenant_ms, 3), "plain_queries": plain_queries, "tenant_queries": tenant_queries,
            "switching_ms": round(switching_ms, 3), "switching_queries": statistics.median(switching_queries),
            "dashboard_queries": dashboard_queries, "dashboard_ms": round(dashboard_ms, 2),
            "extra_queries": extra_queries, "extra_ms": round(extra_ms, 3),
        }))
        return 0 if extra_queries <= 1 and extra_ms <= 1 else 1
    finally:
        connections.close_all()
        if not args.keep:
            scratch_database(scratch, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
