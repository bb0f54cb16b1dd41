"""Benchmark the console's metrics: fixed-query SQL at 100 and at --orgs organisations, against a naive loop.

Builds organisations with subscriptions, a Stripe-mirrored event history (``mrr_cents`` after
each event: conversions, discounts, add-ons bought, downgrades, late payers, cancellations,
resubscriptions, comps, holds, flagged duplicate Stripe subscriptions) and usage snapshots,
straight into the public tables of a scratch database (``unison_bench_console`` on the server
of ``DATABASE_URL``; created first, dropped at the end; no tenant schemas are needed).

Each metric is timed through the full Django stack (median of ``--repeat`` runs) and its
queries counted, first with 100 organisations, then with ``--orgs``; the count must not change:

- ``metrics``: ``GET /api/v1/admin/metrics`` (headline figures, with ARPA, lifetime value, payment
  success, MRR growth, signups, plans, usage by tier, trials ending, operators' activity, NRR and quick ratio);
- ``growth``: ``GET /api/v1/admin/metrics/growth?period=30d`` (series, movements, churn, conversion);
- ``movements``: ``GET /api/v1/admin/metrics/movements`` over the last 30 days (with customer churn);
- ``cohorts``: ``GET /api/v1/admin/metrics/cohorts?months=12``;
- ``retention``: ``GET /api/v1/admin/metrics/retention-cohorts`` (the last 12 signup months);
- ``csv``: ``GET /api/v1/admin/metrics/csv/figures`` (every headline figure as CSV);
- ``dashboard``: the console's dashboard page (``GET /admin/``).

Then ``naive``: the same figures (MRR now, the 30-day movements, customer churn, cohort
conversion, MRR and usage by tier, net revenue retention, payment success, impersonations,
retention cohorts) worked out organisation by organisation in Python, the way an N+1 loop would;
its figures must equal the API's. ``ratio`` = naive ms / (metrics + growth + cohorts + retention ms).

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
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCRATCH_DB = "unison_bench_console"
STATUSES = ["active"] * 5 + ["past_due", "trialing", "trialing", "suspended", "cancelled"]
MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")


def scratch_database(*, drop_only: bool = False) -> str:
    """Drop the scratch database and, unless ``drop_only``, create it empty; return its URL."""
    from bench.scratch import scratch_database as recreate

    return recreate(SCRATCH_DB, drop_only=drop_only)


def history(i: int, price: int) -> list[tuple[str, str, str, int]]:
    """Return organisation ``i``'s events as (transition, from, to, MRR after), oldest first."""
    kind = STATUSES[i % 10]
    events = [("start_trial", "trialing", "trialing", 0)]
    if kind == "trialing":
        return events + ([("checkout", "trialing", "trialing", 0)] if i % 20 == 6 else [])
    if kind == "suspended":
        return events + [("expire_trial", "trialing", "suspended", 0)] + (
            [("comp", "suspended", "suspended", 0)] if i % 20 == 8 else [])
    events.append(("convert", "trialing", "active", price))
    if kind == "past_due":
        return events + [("payment_failed", "active", "past_due", price)]
    if kind == "cancelled":
        events.append(("cancel", "active", "cancelled", 0))
        return events + ([("resubscribe", "cancelled", "active", price)] if i % 3 == 0 else [])
    mrr = price
    if i % 5 == 0:
        mrr += 2500
        events.append(("set_add_on", "active", "active", mrr))
    if i % 11 == 0:
        mrr //= 2
        events.append(("change_plan", "active", "active", mrr))
    if i % 13 == 0:
        events += [("payment_failed", "active", "past_due", mrr), ("suspend_for_nonpayment", "past_due", "suspended", 0),
                   ("payment_recovered", "suspended", "active", mrr)]
    return events


def build(first: int, count: int, now: datetime) -> None:
    """Bulk-create ``count`` organisations numbered from ``first``, with their ledger and usage."""
    from djstripe.models import Customer, Invoice

    from platform_admin.models import AuditEntry
    from subscriptions import catalog
    from subscriptions.models import Subscription, SubscriptionEvent, UsageSnapshot
    from tenants.models import Organization

    numbers = range(first, first + count)
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Org {i:05d}", slug=f"org-{i}", schema_name=f"org_{i}", email=f"owner@org-{i}.example.com",
            created_at=now - timedelta(days=i % 400, hours=i % 24),
        )
        for i in numbers
    )
    subs, events = [], []
    for i, org in zip(numbers, orgs, strict=True):
        tier, cycle = ["starter", "professional", "enterprise"][i % 3], ["monthly", "annual"][i % 2]
        price = catalog.tier(tier).monthly_equivalent_cents(cycle)
        price = price * 80 // 100 if i % 7 == 0 else price  # a 20 % coupon
        steps = history(i, price)
        # Events spread evenly from signup to an hour ago, so each history is in order and in the past.
        span = max(now - timedelta(hours=1), org.created_at) - org.created_at
        times = [org.created_at + span * n / len(steps) for n in range(len(steps))]
        _name, _from, status, mrr = steps[-1]
        paying = mrr > 0
        subs.append(Subscription(
            organization=org, tier=tier, status=status, billing_cycle=cycle, created_at=org.created_at, mrr_cents=mrr,
            comp_tier="professional" if steps[-1][0] == "comp" else "",
            held_at=now if i % 50 == 1 else None,
            stripe_subscription_id=f"sub_{i}" if paying or steps[-1][0] == "checkout" else "",
            stripe_customer_id=f"cus_{i}" if any(step[3] > 0 for step in steps) else "",
            extra_stripe_subscription_ids=[f"sub_{i}_second"] if paying and i % 97 == 0 else [],
        ))
        events.append([(name, source, target, mrr, at) for (name, source, target, mrr), at in zip(steps, times, strict=True)])
    subs = Subscription.objects.bulk_create(subs)
    SubscriptionEvent.objects.bulk_create(
        SubscriptionEvent(subscription=sub, transition=name, from_status=source, to_status=target, tier=sub.tier,
                          billing_cycle=sub.billing_cycle, mrr_cents=mrr, created_at=at)
        for sub, steps in zip(subs, events, strict=True)
        for name, source, target, mrr, at in steps
    )
    # An invoice 3 days ago for each organisation that was billed: paid, or (past due) declined twice.
    billed = [(i, sub) for i, sub in zip(numbers, subs, strict=True) if sub.stripe_customer_id]
    Customer.objects.bulk_create(Customer(id=sub.stripe_customer_id, stripe_data={}) for _i, sub in billed)
    Invoice.objects.bulk_create(
        Invoice(id=f"in_{i}", customer_id=sub.stripe_customer_id, created=now - timedelta(days=3, minutes=i % 60),
                stripe_data={"status": "open" if sub.status == "past_due" else "paid", "attempted": True,
                             "amount_due": 4900, "attempt_count": 2 if sub.status == "past_due" else 1})
        for i, sub in billed
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_id=1, actor_email="bench@unison.local", action=action, target_type="organization",
                   target_id=str(org.pk), organization_id=org.pk, created_at=now - timedelta(days=i % 40, hours=2))
        for i, org in zip(numbers, orgs, strict=True)
        for action, every in (("impersonation_start", 10), ("subscription_extend_trial", 7))
        if i % every == 0
    )
    UsageSnapshot.objects.bulk_create(
        UsageSnapshot(organization=org, users=(i * 7) % 40, plants=i % 7, storage_bytes=i * 1_000_000, measured_at=now - timedelta(hours=h))
        for i, org in zip(numbers, orgs, strict=True)
        for h in (30, 6)
    )


def month_ends(signed_up: datetime, end: datetime) -> list[datetime]:
    """Return the instant each UTC month ends from the signup month to ``end``'s (that one ends at ``end``)."""
    moments, year, month = [], signed_up.year, signed_up.month
    while (year, month) < (end.year, end.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        moments.append(datetime(year, month, 1, tzinfo=UTC))
    return [*moments, end]


def naive_metrics(start: datetime, end: datetime, first_month: datetime, retention_first: datetime) -> dict:
    """Return the figures the N+1 way, in Python: MRR now, movements and customer churn of (start, end], cohorts,
    MRR and usage by tier, net revenue retention, payment success, impersonations and retention cohorts."""
    from djstripe.models import Invoice

    from platform_admin.models import AuditEntry
    from subscriptions.models import Subscription, SubscriptionEvent, UsageSnapshot
    from tenants.models import Organization

    figures = {"organizations": 0, "paying_customers": 0, "trials": 0, "mrr_cents": 0, "users": 0, "plants": 0,
               "duplicate_stripe_subscriptions": 0}
    moves = {kind: {"cents": 0, "count": 0} for kind in MOVEMENTS}
    paying_at_start = lost = mrr_start = mrr_retained = attempted = paid = impersonations = 0
    cohorts: dict[str, list[int]] = {}
    tiers: dict[str, list[int]] = {}
    retention: dict[str, list[list[int]]] = {}
    for org in Organization.objects.all():
        figures["organizations"] += 1
        sub = Subscription.objects.filter(organization=org).first()
        latest = UsageSnapshot.objects.filter(organization=org).order_by("-measured_at", "-id").first()
        if latest is not None:
            figures["users"] += latest.users
            figures["plants"] += latest.plants
        impersonations += AuditEntry.objects.filter(organization_id=org.pk, action="impersonation_start",
                                                    created_at__gt=start, created_at__lte=end).count()
        if sub is None:
            continue
        tier = tiers.setdefault(sub.tier, [0, 0, 0])  # active, MRR, users
        tier[0] += sub.status in ("active", "past_due")
        tier[1] += sub.mrr_cents
        tier[2] += latest.users if latest is not None else 0
        for invoice in Invoice.objects.filter(customer_id=sub.stripe_customer_id, created__gt=start, created__lte=end):
            attempted += 1
            paid += invoice.stripe_data["status"] == "paid"
        figures["mrr_cents"] += sub.mrr_cents
        figures["paying_customers"] += sub.mrr_cents > 0
        figures["trials"] += sub.status == "trialing"
        figures["duplicate_stripe_subscriptions"] += len(sub.extra_stripe_subscription_ids)
        previous = best = at_start = at_end = 0
        history = list(SubscriptionEvent.objects.filter(subscription=sub).order_by("created_at", "id"))
        if org.created_at >= retention_first:
            row = retention.setdefault(org.created_at.astimezone(UTC).strftime("%Y-%m"), [])
            for k, moment in enumerate(month_ends(org.created_at.astimezone(UTC), end)):
                mrr = next((e.mrr_cents for e in reversed(history) if e.created_at <= moment), 0)
                row.extend([0, 0] for _ in range(k + 1 - len(row)))
                row[k][0] += mrr > 0
                row[k][1] += mrr
        for event in history:
            if event.created_at > end:
                break
            if event.created_at <= start:
                at_start = event.mrr_cents
            elif event.mrr_cents != previous:
                kind = ("reactivation" if best else "new") if previous == 0 else (
                    "churn" if event.mrr_cents == 0 else "expansion" if event.mrr_cents > previous else "contraction")
                moves[kind]["cents"] += event.mrr_cents - previous
                moves[kind]["count"] += 1
            previous, best, at_end = event.mrr_cents, max(best, event.mrr_cents), event.mrr_cents
        paying_at_start += at_start > 0
        lost += at_start > 0 and at_end == 0
        mrr_start += at_start if at_start > 0 else 0
        mrr_retained += at_end if at_start > 0 else 0
        if org.created_at >= first_month:
            month = org.created_at.astimezone(UTC).strftime("%Y-%m")
            converted = SubscriptionEvent.objects.filter(subscription=sub, mrr_cents__gt=0, created_at__lte=end).exists()
            cohorts.setdefault(month, [0, 0])
            cohorts[month][0] += 1
            cohorts[month][1] += converted
    return {"figures": figures, "movements": moves, "paying_at_start": paying_at_start, "lost": lost, "cohorts": cohorts,
            "tiers": tiers, "nrr": (mrr_start, mrr_retained), "payments": (attempted, paid),
            "impersonations": impersonations, "retention": retention}


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


def check_naive(naive: dict, api: dict) -> None:
    """Fail loudly unless the per-organisation loop found what the SQL did."""
    for key, value in naive["figures"].items():
        assert api["metrics"][key] == value, f"{key}: API {api['metrics'][key]} != naive {value}"
    movements = api["movements"]
    for kind in MOVEMENTS:
        assert movements[kind] == naive["movements"][kind], f"{kind}: API {movements[kind]} != naive {naive['movements'][kind]}"
    assert movements["net_cents"] == movements["mrr_end_cents"] - movements["mrr_start_cents"]
    churn = movements["customer_churn"]
    assert (churn["paying_at_start"], churn["lost"]) == (naive["paying_at_start"], naive["lost"]), churn
    for cohort in api["cohorts"]["cohorts"]:
        expected = naive["cohorts"].get(cohort["month"], [0, 0])
        assert [cohort["signups"], cohort["converted"]] == expected, (cohort, expected)
    figures = api["metrics"]
    for row in figures["by_tier"]:
        active, mrr, _users = naive["tiers"].get(row["tier"], [0, 0, 0])
        assert (row["active_subscriptions"], row["mrr_cents"]) == (active, mrr), (row, active, mrr)
    for row in figures["usage_by_tier"]:
        assert row["users"] == naive["tiers"].get(row["tier"], [0, 0, 0])[2], row
    nrr = figures["net_revenue_retention"]
    assert (nrr["mrr_start_cents"], nrr["mrr_retained_cents"]) == naive["nrr"], (nrr, naive["nrr"])
    payments = figures["payment_success"]
    assert (payments["attempted"], payments["paid"]) == naive["payments"], (payments, naive["payments"])
    assert figures["operator_activity"]["impersonation_sessions"] == naive["impersonations"]
    for cohort in api["retention"]["cohorts"]:
        cells = [[cell["customers"], cell["mrr_cents"]] for cell in cohort["cells"]]
        expected = naive["retention"].get(cohort["month"], [])
        assert cells[: len(expected)] == expected and not any(c != [0, 0] for c in cells[len(expected):]), cohort["month"]


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
    import pyotp
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import User
    from accounts.two_factor import totp_device_begin, totp_device_confirm

    try:
        print(f"[1/5] migrating the public schema of {SCRATCH_DB}", flush=True)
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        operator = User.objects.create_superuser("bench@unison.local", "bench-password-1234")
        client = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
        # The console's own sign-in: password, then a code of an authenticator set up here.
        device = totp_device_begin(user=operator)
        totp_device_confirm(user=operator, code=pyotp.TOTP(device.secret).now())
        client.post("/admin/login/?next=/admin/", {"username": operator.email, "password": "bench-password-1234"})
        client.post("/admin/login/two-factor/", {"code": pyotp.TOTP(device.secret).at(time.time() + 30)})
        now = timezone.now()
        window_start = (now - timedelta(days=29)).date().isoformat()

        def get(url: str):
            def call():
                response = client.get(url)
                assert response.status_code == 200, response.content[:500]
                return response.json() if response["Content-Type"].startswith("application/json") else response
            return call

        endpoints = {
            "metrics": get("/api/v1/admin/metrics"),
            "growth": get("/api/v1/admin/metrics/growth?period=30d"),
            "movements": get(f"/api/v1/admin/metrics/movements?start={window_start}"),
            "cohorts": get("/api/v1/admin/metrics/cohorts?months=12"),
            "retention": get("/api/v1/admin/metrics/retention-cohorts"),
            "csv": get("/api/v1/admin/metrics/csv/figures"),
            "dashboard": get("/admin/"),
        }

        def run_all(repeat: int) -> tuple[dict, dict]:
            timings, results = {}, {}
            for name, call in endpoints.items():
                ms, queries, results[name] = timed(call, repeat)
                timings[name] = {"ms": round(ms, 1), "queries": queries}
            return timings, results

        print("[2/5] 100 organisations: timing and counting queries", flush=True)
        build(0, min(100, args.orgs), now)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        small, _ = run_all(args.repeat)

        print(f"[3/5] building {args.orgs:,} organisations", flush=True)
        for first in range(100, args.orgs, 2_000):
            build(first, min(2_000, args.orgs - first), now)
            print(f"      {min(first + 2_000, args.orgs):,} / {args.orgs:,}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum keeps them in production

        print(f"[4/5] {args.orgs:,} organisations: timing and counting queries", flush=True)
        large, results = run_all(args.repeat)
        for name in endpoints:
            print(f"      {name:<10} 100 orgs: {small[name]['ms']:>7.1f} ms, {small[name]['queries']:>2} queries"
                  f" | {args.orgs:,} orgs: {large[name]['ms']:>7.1f} ms, {large[name]['queries']:>2} queries")
            assert small[name]["queries"] == large[name]["queries"], f"{name}: the queries grew with the organisations"

        print("[5/5] timing the naive per-organisation loop", flush=True)
        movements = results["movements"]
        start, end = datetime.fromisoformat(movements["start"]), datetime.fromisoformat(movements["end"])
        first_month = datetime.fromisoformat(results["cohorts"]["cohorts"][0]["month"] + "-01").replace(tzinfo=UTC)
        retention_first = datetime.fromisoformat(results["retention"]["start"] + "-01").replace(tzinfo=UTC)
        naive_ms, naive_queries, naive = timed(lambda: naive_metrics(start, end, first_month, retention_first), 1)
        check_naive(naive, results)
        timed_names = ("metrics", "growth", "cohorts", "retention")
        ms = sum(large[name]["ms"] for name in timed_names)
        queries = sum(large[name]["queries"] for name in timed_names)
        summary = {
            "bench": "console",
            "orgs": results["metrics"]["organizations"],
            "queries": queries,
            "queries_at_100_orgs": sum(small[name]["queries"] for name in timed_names),
            "ms": round(ms, 1),
            "naive_ms": round(naive_ms, 1),
            "naive_queries": naive_queries,
            "ratio": round(naive_ms / ms, 1),
            "at_100_orgs": small,
            "at_orgs": large,
            "mrr_cents": results["metrics"]["mrr_cents"],
            "movements_30d": {kind: movements[kind] for kind in MOVEMENTS} | {"net_cents": movements["net_cents"]},
        }
        print(f"done: metrics + growth + cohorts + retention {ms:.0f} ms in {queries} queries (as many at 100 organisations)"
              f" vs naive {naive_ms:.0f} ms in {naive_queries} queries; figures equal")
        print(json.dumps(summary))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch_database(drop_only=True)


if __name__ == "__main__":
    main()
