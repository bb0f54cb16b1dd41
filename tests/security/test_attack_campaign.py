"""The attack campaign: hostile filter strings, forged and replayed webhooks, and kills mid-signup.

Each test records its attempts, failures (a server error, or a request that did more than it should)
and leaks (another tenant's data shown or changed, or a forged delivery taken as Stripe's) in
tests/security/figures.py, then asserts there were none. With the cross-tenant, fuzz and credential
tests, ``make attacks`` prints the campaign's figures.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from djstripe.models import Event, WebhookEndpoint, WebhookEventTrigger

from accounts.models import User
from billing.models import WebhookOutcome
from billing.services import stripe_webhook_setup, webhooks_drain
from devstripe.delivery import signature_header
from subscriptions.models import Subscription
from tenants.models import Organization
from tenants.slugs import schema_name_for
from tests.conftest import PASSWORD, client_for
from tests.platform_admin.conftest import console_client, public_user
from tests.security.factories import workspace_fill
from tests.security.figures import record

# What an attacker types into a search box or a filter: injections, encodings, control and odd Unicode
# characters, numbers and dates out of range, and the victim's own names. Each also follows an ordinary word.
BASE_HOSTILE = [
    "\x00", "a\x00b", "%00", "' OR '1'='1", "' OR 1=1 --", "\"; DROP TABLE shopfloor_plant; --",
    "1; SELECT pg_sleep(0)", "') UNION SELECT name, slug FROM public.tenants_organization --",
    "public.tenants_organization", "SET search_path TO public", "current_schema()", "pg_catalog.pg_tables",
    "%", "%%", "_", "\\", "\\\\", "*", "(a+)+$", "[", "]", "{", "}", "{{7*7}}", "{% debug %}", "${jndi:ldap://x}",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd", "/etc/passwd\x00.png", "\u202e", "\u200b", "\ufeff", "\U0001f600", "e\u0301", "İ", "ß",
    "\uffff", "\t", "\n", "\r\n", "\x1b[31m", "\x7f", "\x01\x02\x03", " ", "", "   ", "-1", "0", "1e309", "NaN",
    "Infinity", "99999999999999999999999", "-99999999999999999999", "0x1F", "1.5", "true", "null", "None", "[]",
    "{}", "[1,2]", '{"$gt": ""}', "__proto__", "a" * 10_000, "é" * 5_000, "%s%s%s%n", "1'", '1"', "`id`", "$(id)",
    "|id", "; ls", "&#0;", "%C0%AE", "%E2%80%AE", "2030-02-30", "0000-00-00", "9999-12-31T23:59:59Z", "-2030-01-01",
    "P1D", "now()", "id__gt=0", "/*", "--", ";", ",", "NULL", "Victim", "VIC-", "victim-invitee", "Victim%",
]
HOSTILE = BASE_HOSTILE + [f"Plant {value}" for value in BASE_HOSTILE]
TENANT_LISTS = {
    "/api/v1/plants": ("q", "page"), "/api/v1/materials": ("q", "unit", "low", "page"),
    "/api/v1/work-orders": ("q", "status", "page"), "/api/v1/ncrs": ("q", "status", "severity", "page"),
    "/plants/": ("q", "page"), "/materials/": ("q", "unit", "low"), "/work-orders/": ("q", "status", "plant"),
    "/ncrs/": ("q", "status", "severity"),
}
CONSOLE_API = {
    "/api/v1/admin/metrics": ("period",), "/api/v1/admin/metrics/growth": ("period", "weeks", "months"),
    "/api/v1/admin/metrics/retention-cohorts": ("start", "months"), "/api/v1/admin/organizations": ("q", "page"),
    "/api/v1/admin/audit-logs": ("action", "page"),
}
# The victim's records as workspace_fill names them (not the bare marker, which a page echoes back as the
# search it was asked for).
VICTIM_RECORDS = ("Victim plant", "Victim street", "Victim steel", "Victim dent", "VIC-STEEL", "WO-VIC-1", "NCR-VIC-1",
                  "victim-invitee@")
ROOT = Path(settings.BASE_DIR)


OUR_APPS = ("tenants", "subscriptions", "platform_admin", "billing", "notifications")


def _console_targets() -> list[tuple[str, str, list[str]]]:
    """Return (change list URL, parameter, values) for the console: search, page, order and each filter.

    Our own apps' change lists get every hostile string in the search box and a quarter of them in each
    other parameter; third-party ones (dj-stripe, axes, Celery beat) fewer, as the same Django code runs them.
    """
    targets = []
    for model, model_admin in admin.site._registry.items():
        ours = model._meta.app_label in OUR_APPS
        parameters = ["p", "o"]
        for entry in model_admin.list_filter:
            if isinstance(entry, str):
                parameters.append(f"{entry}__exact")
            elif isinstance(entry, tuple):
                suffix = "__gte" if issubclass(entry[1], admin.DateFieldListFilter) else "__exact"
                parameters.append(f"{entry[0]}{suffix}")
            else:
                parameters.append(entry.parameter_name)
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if model_admin.search_fields:
            targets.append((url, "q", HOSTILE if ours else BASE_HOSTILE[::8]))
        targets += [(url, parameter, BASE_HOSTILE[::4] if ours else BASE_HOSTILE[::16]) for parameter in parameters]
    return targets


@pytest.fixture
def two_workspaces(organization, other_organization, outsider):
    """The victim's and the outsider's workspaces, holding rows with the same ids."""
    workspace_fill(organization, "Victim")
    workspace_fill(other_organization, "Outsider")
    return organization, other_organization, outsider


PROBLEMS: list[str] = []


def _hostile_get(client, url: str, parameter: str, value: str, **headers) -> tuple[int, int]:
    """Send the value as the parameter; return (failures, leaks): a 5xx, and the victim's names shown."""
    response = client.get(url, {parameter: value}, **headers)
    body = response.content.decode(errors="replace")
    shown = any(mark in body for mark in VICTIM_RECORDS)
    if response.status_code >= 500 or shown:
        PROBLEMS.append(f"GET {url}?{parameter}={value[:40]!r}: {response.status_code}{' shows the victim' * shown}")
    return int(response.status_code >= 500), int(shown)


def test_hostile_filter_strings_in_the_tenant_app_answer_without_error_and_never_show_another_tenant(
        two_workspaces):
    victim, outsider, user = two_workspaces
    client = client_for(outsider, user)
    token = client.post("/api/v1/auth/token", {"email": user.email, "password": PASSWORD},
                        content_type="application/json").json()["access"]
    attempts = failures = leaks = 0
    for url, parameters in TENANT_LISTS.items():
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if url.startswith("/api/") else {}
        for parameter in parameters:
            for value in HOSTILE if parameter == "q" else BASE_HOSTILE:
                failed, leaked = _hostile_get(client, url, parameter, value, **headers)
                attempts, failures, leaks = attempts + 1, failures + failed, leaks + leaked
    record("hostile filter strings (tenant app and API)", attempts=attempts, failures=failures, leaks=leaks)
    assert (failures, leaks) == (0, 0), PROBLEMS[:20]


def test_hostile_filter_strings_in_the_console_answer_without_error(db, organization):
    operator = public_user("campaign-operator@unison.test", is_staff=True, is_superuser=True)
    client = console_client(operator)
    token = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN).post(
        "/api/v1/admin/auth/token", {"email": operator.email, "password": PASSWORD},
        content_type="application/json").json()["access"]
    attempts = failures = 0
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    targets = [(url, parameter, values, {}) for url, parameter, values in _console_targets()]
    targets += [(url, parameter, BASE_HOSTILE, api) for url, parameters in CONSOLE_API.items() for parameter in parameters]
    for url, parameter, values, headers in targets:
        for value in values:
            failed, _ = _hostile_get(client, url, parameter, value, **headers)
            attempts, failures = attempts + 1, failures + failed
    record("hostile filter strings (console and admin API)", attempts=attempts, failures=failures)
    assert failures == 0, PROBLEMS[:20]


EVENT = {"id": "evt_campaign", "object": "event", "livemode": False, "type": "customer.updated",
         "data": {"object": {"id": "cus_campaign", "object": "customer"}}}


def _forgeries(endpoint, other_secret: str) -> list[tuple[str, bytes, dict, str]]:
    """Return (what, body, headers, path) of deliveries Stripe did not sign for this endpoint, as they are."""
    body = json.dumps(EVENT).encode()
    now = int(time.time())
    tolerance = endpoint.djstripe_tolerance
    path = f"/stripe/webhook/{endpoint.djstripe_uuid}/"
    signed = signature_header(body, endpoint.secret)

    def sig(value: str) -> dict:
        return {"HTTP_STRIPE_SIGNATURE": value}

    tampered = json.dumps({**EVENT, "data": {"object": {"id": "cus_victim", "object": "customer"}}}).encode()
    return [
        ("no signature", body, {}, path),
        ("empty signature", body, sig(""), path),
        ("another secret", body, sig(signature_header(body, "whsec_attacker")), path),
        ("another endpoint's secret", body, sig(signature_header(body, other_secret)), path),
        ("body changed after signing", tampered, sig(signed), path),
        ("a byte appended", body + b" ", sig(signed), path),
        ("v0 scheme only", body, sig(signed.replace("v1=", "v0=")), path),
        ("signature truncated", body, sig(signed[:-2]), path),
        ("signature upper-cased", body, sig(signed.upper()), path),
        ("an hour old", body, sig(signature_header(body, endpoint.secret, now - 3600)), path),
        ("an hour ahead", body, sig(signature_header(body, endpoint.secret, now + 3600)), path),
        ("just past the tolerance", body, sig(signature_header(body, endpoint.secret, now - tolerance - 60)), path),
        ("just ahead of the tolerance", body, sig(signature_header(body, endpoint.secret, now + tolerance + 60)),
         path),
        ("time not a number", body, sig("t=soon," + signed.split(",")[1]), path),
        ("two times", body, sig(f"t={now},{signed}"), path),
        ("no time", body, sig(signed.split(",")[1]), path),
        ("a hundred wrong v1", body, sig(f"t={now}," + ",".join(["v1=" + "0" * 64] * 100)), path),
        ("v1 empty", body, sig(f"t={now},v1="), path),
        ("NUL in the header", body, sig(f"t={now},v1=\x00"), path),
        ("unknown endpoint", body, sig(signed), f"/stripe/webhook/{uuid.uuid4()}/"),
        ("not a uuid", body, sig(signed), "/stripe/webhook/not-a-uuid/"),
        ("no trailing slash", body, sig(signed), path.rstrip("/")),
        ("not JSON", b"not json", sig(signature_header(b"not json", "whsec_attacker")), path),
        ("a JSON list", b"[1, 2]", sig(signature_header(b"[1, 2]", "whsec_attacker")), path),
    ]


def test_forged_webhooks_are_refused_and_a_replayed_one_is_applied_once(db, stripe_server, public_client):
    endpoint, _ = stripe_webhook_setup(base_url="http://localhost")
    other, _ = stripe_webhook_setup(base_url="http://other.localhost")
    attempts = failures = leaks = 0
    try:
        for what, body, headers, path in _forgeries(endpoint, other.secret):
            response = public_client.post(path, body, content_type="application/json", **headers)
            attempts += 1
            taken = response.status_code < 300 or WebhookEventTrigger.objects.filter(valid=True).exists()
            failures, leaks = failures + int(response.status_code >= 500), leaks + int(taken)
            if response.status_code >= 500 or taken:
                PROBLEMS.append(f"{what}: {response.status_code}")
        customer = stripe_server.call("POST", "/v1/customers", email="campaign@example.com")["id"]
        event = {**EVENT, "id": f"evt_campaign_{uuid.uuid4().hex[:8]}", "data": {"object": {"id": customer,
                                                                                          "object": "customer"}}}
        body = json.dumps(event).encode()
        for _ in range(4):  # one delivery and three replays of it, as an attacker who captured it would
            response = public_client.post(f"/stripe/webhook/{endpoint.djstripe_uuid}/", body,
                                          content_type="application/json",
                                          HTTP_STRIPE_SIGNATURE=signature_header(body, endpoint.secret))
            attempts += 1
            failures += int(response.status_code >= 500)
        webhooks_drain()
        # dj-stripe keeps one Event per id and our handlers at most one outcome: applied once, however often sent.
        events = Event.objects.filter(id=event["id"]).count()
        outcomes = WebhookOutcome.objects.filter(event_id=event["id"]).count()
        leaks += max(events - 1, 0) + max(outcomes - 1, 0)
        failures += int(events == 0)
        if (events, min(outcomes, 1)) != (1, outcomes):
            PROBLEMS.append(f"replayed event: {events} events and {outcomes} outcomes")
    finally:
        for hook in (endpoint, other):
            stripe_server.call("DELETE", f"/v1/webhook_endpoints/{hook.id}")
        WebhookEndpoint.objects.filter(pk__in=[endpoint.pk, other.pk]).delete()
    record("forged and replayed webhooks", attempts=attempts, failures=failures, leaks=leaks)
    assert (failures, leaks) == (0, 0), PROBLEMS


# One process sets Django up once, then for each slug it reads forks a child that signs up; the test
# kills the child (SIGKILL: no clean-up of any kind) a little later each time.
SIGNUP = """
import os
import sys
import django
django.setup()
from django.db import connections
from marketing.services import signup_complete
print("ready", flush=True)
for line in sys.stdin:
    slug = line.strip()
    connections.close_all()
    child = os.fork()
    if child == 0:
        signup_complete(organization_name="Kill Works", subdomain=slug, full_name="Kim Kill",
                        email=f"kim@{slug}.example.com", password=sys.argv[1])
        print("done", flush=True)
        os._exit(0)
    print(child, flush=True)
    os.waitpid(child, 0)
    print("ended", flush=True)
"""


class SignupServer:
    def __init__(self, prefix: str):
        db = connection.settings_dict
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "unison.settings.test", "PYTHONPATH": str(ROOT),
               "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
               "PGAPPNAME": prefix}
        self.process = subprocess.Popen([sys.executable, "-c", SIGNUP, PASSWORD], cwd=ROOT, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.process.stdout.readline().strip() == "ready"

    def signup(self, slug: str, kill_after: float | None = None) -> bool:
        """Sign up ``slug`` in a child process, killed after ``kill_after`` seconds; return whether it finished."""
        self.process.stdin.write(slug + "\n")
        self.process.stdin.flush()
        child = int(self.process.stdout.readline())
        if kill_after is not None:
            time.sleep(kill_after)
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        lines = []
        while (line := self.process.stdout.readline().strip()) != "ended":
            lines.append(line)
        return "done" in lines

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _whole_or_absent(slug: str, application: str) -> bool:
    """Return whether the signup left all of a workspace (row, schema, trial, owner) or nothing of it."""
    with connection.cursor() as cursor:  # the killed child's backend ends its transaction before we look
        for _ in range(200):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND state <> 'idle'",
                           [application])
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema_name_for(slug)])
        schema = cursor.fetchone()[0] == 1
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return not schema
    with schema_context(organization.schema_name):
        owner = User.objects.filter(email=f"kim@{slug}.example.com").exists()
    return schema and owner and Subscription.objects.filter(organization=organization).exists()


def test_a_signup_killed_at_any_moment_leaves_a_whole_workspace_or_none_and_can_be_done_again(transactional_db):
    prefix = f"kill-{uuid.uuid4().hex[:6]}"
    server = SignupServer(prefix)
    attempts = failures = 0
    try:
        started = time.monotonic()
        assert server.signup(f"{prefix}-t")
        duration = time.monotonic() - started
        for step in range(12):
            slug = f"{prefix}-{step}"
            finished = server.signup(slug, kill_after=duration * step / 12)
            attempts += 1
            whole = _whole_or_absent(slug, prefix)
            failures += int(not whole)
            if whole and not finished and not Organization.objects.filter(slug=slug).exists():
                failures += int(not server.signup(slug))  # the visitor tries again, and gets the workspace
    finally:
        server.stop()
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", [schema_name_for(prefix)])
            for (schema,) in cursor.fetchall():
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    record("kills mid-signup", attempts=attempts, failures=failures)
    assert failures == 0
