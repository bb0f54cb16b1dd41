"""Benchmark Stripe webhooks: delivery into our endpoint, then applying them per customer in parallel.

In a scratch database (``<name of DATABASE_URL's database>_bench_webhooks`` on the same server; created
first, dropped at the end unless ``--keep``) and against a localstripe server of its own
(devstripe), it drives two equal groups of ``--organizations`` subscriptions through checkout and
renewals with webhook delivery held, and collects ``--events`` real events from each (default 500).
It signs them up front as Stripe would and posts them with ``--concurrency`` clients over HTTP to a
gunicorn server (gthread, ``--server-workers`` x ``--threads``) on 127.0.0.1, in processes of its own:

- ``baseline_per_s``: group A's payloads posted to a view that only verifies the signature;
- ``per_s`` and ``p99_ms``: group A posted to our endpoint (billing/webhooks.py), which verifies and
  stores them (no worker runs meanwhile: applying is measured on its own, next);
- ``baseline_apply_per_s``: group A's stored events applied one at a time, by one drain process
  (``webhooks_drain``): what the old global lock allowed however many workers ran;
- ``apply_per_s``: group B, delivered the same way, applied by ``--workers`` drain processes at
  once (default 2), each customer's events in order under its own lock, customers in parallel;
  ``apply_ratio`` is apply_per_s / baseline_apply_per_s.

Each drain process is started and set up (Django, a connection) before the clock starts. It then
checks that every effect happened exactly once (one outcome per handled event, one payment notice
per paid invoice), that delivering and applying everything a second time changes nothing, and that
each customer's events were applied in the order they happened.

    REDIS_URL=redis://127.0.0.1:6379/<db> .venv/bin/python bench/webhooks.py [--events 500] [--organizations 10]
        [--workers 2] [--concurrency 8] [--server-workers 2] [--threads 4] [--keep]

The last line is JSON: {"bench": "webhooks", "apply_ratio", "exactly_once", "apply_per_s", "baseline_apply_per_s",
"per_s", "baseline_per_s", "ratio", ...}.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TOLERANCE_SECONDS = 300


def scratch_name() -> str:
    """Return the scratch database's name: the configured database's, so two checkouts never share one."""
    from urllib.parse import urlsplit

    configured = urlsplit(os.environ.get("DATABASE_URL", "postgres:///unison")).path.lstrip("/") or "unison"
    return f"{configured}_bench_webhooks"


SCRATCH_DB = scratch_name()


def scratch_database(*, drop_only: bool = False) -> str:
    """Drop the scratch database and, unless ``drop_only``, create it empty; return its URL."""
    from bench.scratch import scratch_database as recreate

    return recreate(SCRATCH_DB, drop_only=drop_only)


# --- The baseline: a view that only verifies the Stripe signature ------------------------------

def verify_only(request):
    """Return 200 if the Stripe-Signature header signs the body (our endpoint's own check), 400 otherwise."""
    from django.http import HttpResponse, HttpResponseBadRequest

    from billing.gateway import webhook_signature_valid

    header = request.headers.get("Stripe-Signature", "")
    if webhook_signature_valid(request.body, header, os.environ["BENCH_WEBHOOK_SECRET"], TOLERANCE_SECONDS):
        return HttpResponse("ok")
    return HttpResponseBadRequest()


def _urlpatterns():
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    return [path("bench/verify-only/", csrf_exempt(verify_only)), path("", include("unison.urls_public"))]


def __getattr__(name):  # this module is the public URL conf while the bench runs
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


# --- Moving parts -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_forever(port: int, workers: int, threads: int) -> None:
    """Serve Django (this module as the public URL conf) on 127.0.0.1:port with gunicorn, until killed.

    gunicorn's threads live as long as the server, so each keeps its database connection
    (CONN_MAX_AGE) as in production; Django's development server starts a thread, and so a
    new connection, for every request.
    """
    import django
    from gunicorn.app.base import BaseApplication

    django.setup()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    settings.DEBUG = False
    settings.PUBLIC_SCHEMA_URLCONF = "bench.webhooks"

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": workers, "threads": threads,
                               "worker_class": "gthread", "loglevel": "warning"}.items():
                self.cfg.set(key, value)

        def load(self):
            return get_wsgi_application()

    Server().run()


def start_server(port: int, stripe_url: str, log_path: str, workers: int, threads: int) -> subprocess.Popen:
    """Start the web server in a process of its own (not sharing the clients' GIL); return it once it serves."""
    env = {**os.environ, "STRIPE_API_BASE": stripe_url, "CONN_MAX_AGE": "60"}
    log = open(log_path, "w")  # noqa: SIM115 - the process keeps it until it ends
    process = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(workers), str(threads)], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with suppress(requests.ConnectionError):
            requests.get(f"http://localhost:{port}/robots.txt", timeout=5)
            return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"the web server did not start: see {log_path}")


def make_events(stripe_server, organizations: int, wanted: int, prefix: str) -> tuple[list, list]:
    """Run subscriptions through checkout and renewals in localstripe; return (organisations, events)."""
    from billing.services import SUBSCRIBED_EVENTS, billing_checkout_start
    from devstripe.process import GOOD_CARD
    from subscriptions.services import organization_create_with_trial

    made, per_org = [], []
    for i in range(organizations):
        slug = f"wh-{prefix}-{i:03d}"
        org = organization_create_with_trial(name=f"Webhook Bench {prefix} {i}", slug=slug, owner_name="Bench Owner",
                                             owner_email=f"owner@{slug}.example.com", owner_password="bench-pass-123")
        url = billing_checkout_start(organization=org, tier="starter", billing_cycle="monthly",
                                     success_url="http://x/ok", cancel_url="http://x/no")
        session = stripe_server.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)
        made.append((org, session["customer"], session["subscription"]))
    renewals = 0
    while sum(len(events) for events in per_org) < wanted:
        for _, _, subscription_id in made:
            stripe_server.call("POST", f"/_test/subscriptions/{subscription_id}/renew")
        renewals += 1
        per_org = [[e for e in stripe_server.call("GET", f"/_test/customers/{customer_id}/events")["data"]
                    if e["type"] in SUBSCRIBED_EVENTS] for _, customer_id, _ in made]
        print(f"[{renewals}] {sum(len(e) for e in per_org)} events from {len(made)} subscriptions", flush=True)
    # Round-robin across organisations, each one's events in the order they happened.
    events = [e for batch in zip(*[iter(x) for x in per_org], strict=False) for e in batch]
    events += [e for x in per_org for e in x if e not in events]
    return [org for org, _, _ in made], events[:wanted]


def signed(events: list, secret: str, port: int) -> list[tuple[bytes, dict]]:
    """Return each event's body and headers, signed now as Stripe signs them (the sender's work, done up front)."""
    from devstripe.delivery import signature_header

    bodies = [json.dumps(event).encode() for event in events]
    # The clients connect to 127.0.0.1 (resolving "localhost" costs ~40 ms a request here) for the public host.
    return [(body, {"Content-Type": "application/json", "Stripe-Signature": signature_header(body, secret),
                    "Host": f"localhost:{port}"}) for body in bodies]


def deliver_all(url: str, requests_: list, concurrency: int) -> tuple[float, list[float], list[int]]:
    """POST every signed body with ``concurrency`` clients; return (seconds, latencies ms, status codes).

    Each POST has a connection of its own, as Stripe's deliveries do: kept-alive connections to
    Django's threaded server wait ~40 ms a request here on delayed ACKs.
    """

    def one(request):
        started = time.perf_counter()
        status = requests.post(url, data=request[0], headers=request[1], timeout=30).status_code
        return (time.perf_counter() - started) * 1000, status

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, requests_))
    return time.perf_counter() - started, [r[0] for r in results], [r[1] for r in results]


def drain_forever() -> None:
    """Be one drain worker: set up, say ready, wait for "go" on stdin, drain, print what was applied as JSON."""
    import django

    django.setup()
    from django.db import connection

    from billing import gateway
    from billing.services import webhooks_drain

    gateway.configure()
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    applied = webhooks_drain()
    print(json.dumps({"applied": applied, "seconds": time.perf_counter() - started}), flush=True)


def apply_stored(workers: int, database_url: str, stripe_url: str, log_dir: str) -> tuple[float, int]:
    """Apply every stored event with ``workers`` drain processes started at once; return (seconds, applied)."""
    from djstripe.models import WebhookEventTrigger

    env = {**os.environ, "DATABASE_URL": database_url, "STRIPE_API_BASE": stripe_url,
           "DJANGO_SETTINGS_MODULE": "unison.settings.test"}
    processes = []
    for n in range(workers):
        log = open(f"{log_dir}/drain-{workers}-{n}.log", "a")  # noqa: SIM115 - the process keeps it until it ends
        processes.append(subprocess.Popen([sys.executable, __file__, "--drain"], cwd=ROOT, env=env, text=True,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log))
    for process in processes:
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"a drain worker did not start: see {log_dir}")
    started = time.perf_counter()
    for process in processes:
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [json.loads(process.stdout.readline()) for process in processes]
    seconds = time.perf_counter() - started
    for process in processes:
        process.wait(timeout=60)
    left = WebhookEventTrigger.objects.filter(valid=True, processed=False).count()
    if left:
        raise SystemExit(f"{left} stored events were left unapplied (or failed): see {log_dir}")
    return seconds, sum(result["applied"] for result in results)


def applied_in_order(events) -> bool:
    """Return whether each customer's events were applied (dj-stripe's Event rows made) in the order they arrived.

    Arrival is the first stored trigger of each event: the concurrent clients deliver out of Stripe's order,
    as Stripe does, and the drain promises the order of arrival.
    """
    from djstripe.models import Event, WebhookEventTrigger

    from billing.services.drain import event_customer

    arrived = {}
    for pk, body in WebhookEventTrigger.objects.order_by("pk").values_list("pk", "body"):
        arrived.setdefault(json.loads(body)["id"], pk)
    made = dict(Event.objects.filter(id__in=[e["id"] for e in events]).values_list("id", "djstripe_id"))
    per_customer: dict[str, list[tuple[int, int]]] = {}
    for event in events:
        per_customer.setdefault(event_customer(event), []).append((arrived[event["id"]], made[event["id"]]))
    return all([made_at for _, made_at in sorted(pairs)] == sorted(made_at for _, made_at in pairs)
               for pairs in per_customer.values())


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def effects(organizations, events) -> dict:
    """Return the counts that must match the events exactly once."""
    from billing.models import WebhookOutcome
    from billing.services import HANDLED_EVENTS
    from notifications.models import NotificationLog
    from subscriptions.models import SubscriptionEvent

    handled = {e["id"] for e in events if e["type"] in HANDLED_EVENTS}
    return {
        "outcomes": WebhookOutcome.objects.filter(event_id__in=handled).count(),
        "handled_events": len(handled),
        "payment_notices": NotificationLog.objects.filter(organization__in=organizations,
                                                          kind="payment_succeeded").count(),
        # A $0 invoice (a trial's) sends no receipt: only invoices that took money count.
        "paid_invoices": len({e["data"]["object"]["id"] for e in events if e["type"] == "invoice.payment_succeeded"
                              and e["data"]["object"].get("amount_paid", 0) > 0}),
        "transitions": SubscriptionEvent.objects.filter(subscription__organization__in=organizations).count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=500, help="events in each of the two groups")
    parser.add_argument("--organizations", type=int, default=10, help="subscriptions in each group")
    parser.add_argument("--workers", type=int, default=2, help="drain processes applying group B at once")
    parser.add_argument("--concurrency", type=int, default=8, help="clients posting at once")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch database afterwards.")
    args = parser.parse_args()
    if min(args.events, args.organizations, args.workers, args.concurrency, args.server_workers, args.threads) < 1:
        parser.error("every count must be 1 or more")

    media = tempfile.TemporaryDirectory(prefix="unison-bench-media-")
    queue = f"bench-webhooks-{uuid.uuid4().hex[:8]}"  # the endpoint's wakes go here; no worker consumes them
    os.environ.update(DATABASE_URL=scratch_database(), DJANGO_SETTINGS_MODULE="unison.settings.test",
                      MEDIA_ROOT=media.name, EMAIL_URL="dummymail://", CELERY_TASK_ALWAYS_EAGER="0",
                      CELERY_QUEUE=queue)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from billing.catalog_sync import stripe_catalog_sync
    from billing.services import stripe_webhook_setup
    from devstripe.process import StripeServer
    from tenants.template import template_schema_ensure

    stripe_server = StripeServer()
    settings.STRIPE_API_BASE = stripe_server.url
    server = None
    try:
        print("migrating the scratch database and the template schema ...", flush=True)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        template_schema_ensure()
        stripe_catalog_sync()
        port = free_port()
        stripe_server.call("POST", "/_test/webhooks/hold", on="true")
        endpoint, _ = stripe_webhook_setup(base_url=f"http://localhost:{port}")
        os.environ["BENCH_WEBHOOK_SECRET"] = endpoint.secret  # read by the server's verify-only view
        orgs_a, events_a = make_events(stripe_server, args.organizations, args.events, "a")
        orgs_b, events_b = make_events(stripe_server, args.organizations, args.events, "b")
        server = start_server(port, stripe_server.url, f"{media.name}/server.log", args.server_workers, args.threads)
        url = f"http://127.0.0.1:{port}/stripe/webhook/{endpoint.djstripe_uuid}/"
        database_url = os.environ["DATABASE_URL"]

        print(f"baseline: {len(events_a)} events to the verify-only view ...", flush=True)
        base_seconds, _, base_codes = deliver_all(f"http://127.0.0.1:{port}/bench/verify-only/",
                                                  signed(events_a, endpoint.secret, port), args.concurrency)
        print(f"webhooks: group A, {len(events_a)} events to our endpoint ...", flush=True)
        seconds, latencies, codes = deliver_all(url, signed(events_a, endpoint.secret, port), args.concurrency)
        print("apply: group A by one drain process (one at a time) ...", flush=True)
        one_seconds, one_applied = apply_stored(1, database_url, stripe_server.url, media.name)
        print(f"webhooks: group B, {len(events_b)} events to our endpoint ...", flush=True)
        _, _, codes_b = deliver_all(url, signed(events_b, endpoint.secret, port), args.concurrency)
        print(f"apply: group B by {args.workers} drain processes at once ...", flush=True)
        many_seconds, many_applied = apply_stored(args.workers, database_url, stripe_server.url, media.name)

        organizations, events = orgs_a + orgs_b, events_a + events_b
        first = effects(organizations, events)
        in_order = applied_in_order(events)
        print("again: every event of both groups a second time (must change nothing) ...", flush=True)
        _, _, again_codes = deliver_all(url, signed(events, endpoint.secret, port), args.concurrency)
        apply_stored(args.workers, database_url, stripe_server.url, media.name)
        second = effects(organizations, events)
        exactly_once = (first["outcomes"] == first["handled_events"] and
                        first["payment_notices"] == first["paid_invoices"] and first == second and in_order and
                        one_applied == len(events_a) and many_applied == len(events_b) and
                        set(codes) | set(codes_b) | set(again_codes) | set(base_codes) == {200})
        per_s, baseline_per_s = len(events_a) / seconds, len(events_a) / base_seconds
        apply_per_s, baseline_apply_per_s = len(events_b) / many_seconds, len(events_a) / one_seconds
        apply_ratio = apply_per_s / baseline_apply_per_s
        print(f"effects: {first}; each customer in order: {in_order}; exactly once: {exactly_once}", flush=True)
        print(f"summary: {per_s:.0f} events/s accepted (p99 {p99(latencies):.0f} ms) against {baseline_per_s:.0f}/s "
              f"verify-only, ratio {per_s / baseline_per_s:.2f}; applied {apply_per_s:.1f}/s by {args.workers} "
              f"workers against {baseline_apply_per_s:.1f}/s one at a time: {apply_ratio:.2f}x "
              f"({os.cpu_count()} cores)", flush=True)
        print(json.dumps({
            "bench": "webhooks", "events": len(events_a), "per_s": round(per_s, 1), "p99_ms": round(p99(latencies), 1),
            "baseline_per_s": round(baseline_per_s, 1), "ratio": round(per_s / baseline_per_s, 3),
            "workers": args.workers, "apply_per_s": round(apply_per_s, 1),
            "baseline_apply_per_s": round(baseline_apply_per_s, 1), "apply_ratio": round(apply_ratio, 3),
            "cores": os.cpu_count(), "concurrency": args.concurrency, "exactly_once": exactly_once,
        }))
        return 0 if exactly_once else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=15)
        stripe_server.stop()
        with suppress(Exception):
            from redis import Redis

            Redis.from_url(settings.CELERY_BROKER_URL).delete(queue, f"unison:billing:drain-webhooks:{queue}")
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database(drop_only=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve_forever(*map(int, sys.argv[2:5]))
    if sys.argv[1:2] == ["--drain"]:
        sys.exit(drain_forever())
    sys.exit(main())
