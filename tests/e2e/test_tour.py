"""The README's Tour, walked in Chromium against the kinds of services `make run` starts.

Real: the Django live server (the web, on ``localhost:<port>`` and ``<slug>.localhost:<port>``), a
Celery worker process (solo, on a queue of this module's own; it applies Stripe's webhooks and sends
the e-mails, into files this test reads), the local Stripe stand-in (``python -m devstripe``: its
Checkout and Billing Portal pages, signed webhooks into the live server), Redis (the broker, and the
cache of web and worker, as `make run`'s) and PostgreSQL. The one test-only step is the README's too: ``POST /_test/subscriptions/<id>/renew``
on the stand-in, which is what Stripe does when a trial or a period ends.

One long walk, in the README's order; each step leaves screenshots in
``test-output/screenshots/tour-<step>-<page>-<width>.png`` (1440 px, and 390 px for pages customers see).
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from devstripe.pages import BANNER, money
from platform_admin.models import AuditEntry
from subscriptions import catalog
from subscriptions.models import Subscription
from subscriptions.templatetags.subscription_tags import cents
from tenants.models import Organization
from tests.billing import conftest as billing
from tests.billing.conftest import wait_for
from tests.conftest import PASSWORD, unique_slug
from tests.e2e import conftest as e2e
from tests.platform_admin.conftest import public_user
from tests.signin import console_browser_sign_in
from unison.templatetags.dates import day

pytestmark = [pytest.mark.e2e, pytest.mark.stripe]

# The shared browser harness, and billing's webhook endpoint on the live server (tasks to our worker).
browser, site, webhooks = e2e.browser, e2e.site, billing.webhooks

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
WAIT_S = 45  # webhooks arrive about a second after each change in the stand-in; the worker applies them


@pytest.fixture(scope="module")
def mail_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tour-mail")


@pytest.fixture(scope="module")
def webhook_worker(django_db_setup, stripe_server, live_server, mail_dir, tmp_path_factory):
    """Run a real Celery worker like `make run`'s: it applies webhooks and sends mail (to files); yield its queue.

    Named as billing's fixture, so ``webhooks`` routes tasks to this one. Links in its e-mails point
    at the live server's port, as `make run`'s worker's point at ``UNISON_PORT``.
    """
    from django.db import connection

    from unison.celery import app

    queue = f"tour-test-{uuid.uuid4().hex[:10]}"
    db = connection.settings_dict
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "unison.settings.test", "CELERY_QUEUE": queue,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": app.conf.broker_url, "CELERY_TASK_ALWAYS_EAGER": "0",
        "STRIPE_API_BASE": stripe_server.url, "TEST_EMAIL_FILE_PATH": str(mail_dir),
        "UNISON_PORT": str(live_server.thread.port), "UNISON_SCHEME": "http",
        "CACHE_BACKEND": REDIS_CACHE, "CACHE_LOCATION": settings.REDIS_URL,  # as `make run`'s (see shared_cache)
    }
    log = open(tmp_path_factory.mktemp("tour-worker") / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "unison", "worker", "-P", "solo", "-Q", queue, "-l", "info",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"tour-{os.getpid()}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    yield queue
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)
    log.close()
    from redis import Redis

    Redis.from_url(app.conf.broker_url).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


def mails(folder: Path) -> list[email.message.EmailMessage]:
    """Return the messages the worker's file backend wrote (one file per connection, messages split)."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_text().split("-" * 79):
            if raw.strip():
                found.append(email.message_from_string(raw.strip() + "\n", policy=email.policy.default))
    return found


def body_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def body_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def shoot(page, name: str, *, phone: bool = True) -> None:
    """Save full-page screenshots of ``page`` as tour-<name>-1440.png (and -390.png for customers' pages)."""
    e2e.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(e2e.SCREENSHOTS / f"tour-{name}-1440.png"), full_page=True)
    if phone:
        page.set_viewport_size(PHONE)
        page.screenshot(path=str(e2e.SCREENSHOTS / f"tour-{name}-390.png"), full_page=True)
        page.set_viewport_size(DESKTOP)


def long_date(moment) -> str:
    """Format a moment as the billing pages do (the one date format, e.g. 1 Jan 2026)."""
    return day(moment)


def subscription_of(organization) -> Subscription:
    return Subscription.objects.get(organization=organization)


@pytest.fixture
def shared_cache(site, settings):
    """Cache in Redis for this test, as `make run` does (devservices --shared-cache), the worker too.

    So a plan change the worker applies from a webhook reaches the web's pages (the trial banner) at
    once. Taken after ``site`` has cleared the in-memory cache; the keys it made are removed after.
    """
    from redis import Redis

    settings.CACHES = {"default": {**settings.CACHES["default"], "BACKEND": REDIS_CACHE,
                                   "LOCATION": settings.REDIS_URL}}
    yield
    client = Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match="*::1:*"))  # <schema>:<empty prefix>:<version 1>:<key>
    if keys:
        client.delete(*keys)


@pytest.fixture
def tour_pages(browser, site, shared_cache):
    """Return two 1440 px pages with their own cookies: the visitor's (then owner's) and the operator's."""
    contexts = []

    def new_page():
        context = browser.new_context(viewport=DESKTOP)
        context.set_default_timeout(e2e.TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield new_page(), new_page()
    for context in contexts:
        context.close()


def test_the_readme_tour(webhooks, stripe_server, site, tour_pages, mail_dir):
    visitor, console = tour_pages
    starter = catalog.tier("starter")
    slug = unique_slug("tour")
    owner_email = f"olga@{slug}.example.com"

    # 1. Signup: landing → Pricing → Start free trial → the form → signed in on <slug>.localhost with the banner.
    visitor.goto(site.url("/"))
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    expect(visitor.get_by_test_id("starting-price")).to_have_text(cents(starter.monthly_cents))
    shoot(visitor, "1-landing")
    visitor.get_by_role("navigation", name="Main").get_by_role("link", name="Pricing").click()
    expect(visitor).to_have_url(site.url("/pricing/"))
    shoot(visitor, "1-pricing")
    visitor.locator('[data-tier="starter"]').get_by_role("link", name=re.compile("Start free trial")).click()
    expect(visitor).to_have_url(site.url("/signup/?tier=starter"))
    visitor.get_by_label("Company name").fill("Tour Fabrication")
    visitor.get_by_label("Workspace address").fill(slug)
    visitor.get_by_label("Your name").fill("Olga Owner")
    visitor.get_by_label("Work e-mail").fill(owner_email)
    visitor.get_by_label("Password", exact=True).fill(PASSWORD)
    visitor.get_by_label("Industry").select_option("machinery")
    expect(visitor.locator("#subdomain-status")).to_contain_text(f"{slug}.localhost is available")
    shoot(visitor, "1-signup")
    visitor.get_by_role("button", name="Create my workspace").click()
    visitor.wait_for_url(re.compile(rf"^http://{re.escape(slug)}\.{re.escape(site.base_domain)}:{site.port}/"))
    organization = Organization.objects.get(slug=slug)
    expect(visitor).to_have_url(re.compile("^" + re.escape(site.tenant_url(organization, "/"))))
    expect(visitor.locator(".nav-user")).to_contain_text("Olga Owner")
    trial_tier = catalog.tier(catalog.TRIAL_TIER).name
    expect(visitor.locator("#trial-banner")).to_contain_text(f"{catalog.TRIAL_DAYS} days left in your {trial_tier} trial")

    # 2. Onboarding: organisation details → first plant → invite (skip) → sample data → done → the dashboard.
    expect(visitor).to_have_url(site.tenant_url(organization, "/onboarding/organization/"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Your organisation")
    visitor.get_by_label("51–200").check()
    visitor.get_by_label("Quality").check()
    visitor.get_by_label(re.compile("Weighted average —")).check()
    shoot(visitor, "2-organisation")
    visitor.get_by_role("button", name="Continue").click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/onboarding/plant/"))
    visitor.get_by_label("Name").fill("Leeds Works")
    visitor.get_by_label("Code").fill("LDS")
    visitor.get_by_label("Time zone").select_option("Europe/London")
    shoot(visitor, "2-plant")
    visitor.get_by_role("button", name="Create plant").click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/onboarding/team/"))
    shoot(visitor, "2-team")
    visitor.get_by_role("button", name="Skip this step").click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/onboarding/sample-data/"))
    expect(visitor.get_by_label(re.compile("Load sample"))).to_be_checked()
    shoot(visitor, "2-sample-data")
    visitor.get_by_role("button", name="Continue").click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/onboarding/done/"))
    shoot(visitor, "2-done")
    visitor.get_by_role("button", name="Go to my dashboard").click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/"))
    expect(visitor.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(visitor.get_by_role("link", name="Leeds Works")).to_be_visible()
    expect(visitor.get_by_role("heading", name=re.compile("Open work orders"))).to_be_visible()
    shoot(visitor, "2-dashboard")

    # 3. Paying with a test card: Billing → Starter's monthly card, Choose Starter → confirm → the stand-in's Checkout → 4242 → Pay.
    visitor.get_by_role("link", name="Billing", exact=True).first.click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/billing/"))
    expect(visitor.get_by_test_id("plan-status")).to_have_text("Trialing")
    shoot(visitor, "3-billing-trial")
    visitor.locator("[data-tier=starter] .offer-monthly").get_by_role("button", name="Choose Starter").click()
    expect(visitor).to_have_url(site.tenant_url(organization, "/billing/plan/"))
    trial_end = long_date(subscription_of(organization).trial_ends_at)
    expect(visitor.get_by_test_id("preview-summary")).to_have_text(
        f"You'll pay {cents(0)} today, then {cents(starter.monthly_cents)} monthly from {trial_end}.")
    shoot(visitor, "3-confirm")
    visitor.get_by_role("button", name="Continue to payment").click()
    visitor.wait_for_url("**/_test/checkout/cs_test_*")
    expect(visitor.get_by_text(BANNER)).to_be_visible()
    expect(visitor.get_by_role("list", name="What you are buying")).to_contain_text("Starter")
    expect(visitor.get_by_test_id("due-today")).to_have_text(money(0, "usd"))
    expect(visitor.get_by_test_id("trial")).to_contain_text(f"then {money(starter.monthly_cents, 'usd')} per month")
    e2e.billing_address_fill(visitor)
    visitor.fill("#card_number", "4242 4242 4242 4242")
    shoot(visitor, "3-checkout")
    visitor.get_by_role("button", name=f"Pay {money(0, 'usd')}").click()
    visitor.wait_for_url(site.tenant_url(organization, "/billing/?checkout=success"))
    expect(visitor.get_by_text("Thank you!")).to_be_visible()
    shoot(visitor, "3-checkout-returned")
    wait_for(lambda: (s := subscription_of(organization)).tier == "starter" and s.stripe_subscription_id,
             timeout=WAIT_S, what="the checkout's webhooks to reach the worker")
    visitor.reload()
    expect(visitor.get_by_test_id("plan-name")).to_have_text("Starter")
    expect(visitor.get_by_test_id("plan-status")).to_have_text("Trialing")  # the trial is kept; the card is on file
    expect(visitor.get_by_text(f"Your card is on file: Stripe starts billing Starter on {trial_end}")).to_be_visible()
    expect(visitor.locator("#trial-banner")).to_contain_text("then Stripe bills Starter to your card on file")
    shoot(visitor, "3-billing-card-on-file")

    # The operator finds the Stripe subscription id in the console (Subscriptions → the workspace's).
    console_browser_sign_in(console, site, public_user("operator@unison.test", is_staff=True, is_superuser=True))
    console.get_by_role("link", name="Subscriptions").first.click()
    console.get_by_role("link", name="Tour Fabrication").first.click()
    field = console.locator(".field-line", has=console.locator("label", has_text=re.compile(r"^\s*Stripe subscription id\s*$")))
    expect(field).to_contain_text(re.compile(r"sub_\w+"))
    sub_id = re.search(r"sub_\w+", field.text_content()).group(0)
    assert sub_id == subscription_of(organization).stripe_subscription_id
    shoot(console, "3-console-subscription", phone=False)

    # "A period passes": end the trial in the stand-in, so Stripe bills Starter now.
    stripe_server.call("POST", f"/_test/subscriptions/{sub_id}/renew")
    wait_for(lambda: subscription_of(organization).status == "active", timeout=WAIT_S, what="the renewal's webhooks")
    billing.settled(timeout=WAIT_S)
    visitor.reload()
    expect(visitor.get_by_test_id("plan-status")).to_have_text("Active")
    expect(visitor.locator("#trial-banner")).to_have_count(0)
    paid = visitor.locator("tr", has_text="paid").filter(has_text=cents(starter.monthly_cents))
    expect(paid).to_have_count(1)
    pdf = paid.get_by_role("link", name=re.compile(r"^PDF of invoice "))
    expect(pdf).to_have_attribute("href", re.compile(rf"^{re.escape(stripe_server.url)}/_test/invoices/in_\w+\.pdf$"))
    assert visitor.request.get(pdf.get_attribute("href")).headers["content-type"] == "application/pdf"
    shoot(visitor, "3-billing-active")

    # 4. A failed payment: the portal's card update to 0341 (saved, fails when charged) → the next period → past due.
    visitor.get_by_role("button", name="Manage payment method").click()
    visitor.wait_for_url("**/_test/portal/*")
    expect(visitor.get_by_text(BANNER)).to_be_visible()
    expect(visitor.get_by_test_id("plan-status")).to_have_text("Active")
    visitor.fill("#card_number", "4000 0000 0000 0341")
    visitor.get_by_role("button", name="Update card").click()
    expect(visitor.get_by_role("status")).to_contain_text("Card saved: Visa ending in 0341")
    shoot(visitor, "4-portal-card-saved")
    visitor.get_by_role("link", name="← Return to Unison").click()
    visitor.wait_for_url(site.tenant_url(organization, "/billing/"))
    billing.settled(timeout=WAIT_S)

    stripe_server.call("POST", f"/_test/subscriptions/{sub_id}/renew")
    wait_for(lambda: (s := subscription_of(organization)).status == "past_due" and s.failed_payment_count == 1,
             timeout=WAIT_S, what="the failed renewal's webhooks")
    visitor.reload()
    expect(visitor.get_by_test_id("plan-status")).to_have_text("Past due")
    expect(visitor.get_by_text("Your last payment failed (1 attempt)")).to_be_visible()
    shoot(visitor, "4-billing-past-due")

    def payment_failed_mail():
        return next((m for m in mails(mail_dir) if m["subject"].startswith("Payment failed")), None)

    message = wait_for(payment_failed_mail, timeout=WAIT_S, what="the worker to send the payment-failed e-mail")
    billing_url = site.tenant_url(organization, "/billing/")
    assert message["subject"] == "Payment failed (attempt 1 of 3)"
    assert message["to"] == owner_email
    assert f"Update your payment method: {billing_url}" in body_text(message)
    assert f'href="{billing_url}"' in body_html(message)
    mail_page = visitor.context.new_page()
    mail_page.set_content(body_html(message))
    shoot(mail_page, "4-payment-failed-email")
    mail_page.close()

    # 5. The console: MRR from what Stripe bills (Starter monthly), its movements, the organisation listed.
    console.goto(site.url("/admin/"))
    expect(console.locator("[data-kpi=mrr]")).to_have_text(cents(starter.monthly_cents))
    expect(console.locator("#mrr-movements [data-movement=new]")).to_contain_text(f"+{cents(starter.monthly_cents)}")
    shoot(console, "5-console-dashboard", phone=False)
    console.get_by_role("link", name="Organisations").first.click()
    expect(console.locator("#result_list")).to_contain_text("Tour Fabrication")
    shoot(console, "5-console-organisations", phone=False)
    console.locator("#result_list").get_by_role("link", name="Tour Fabrication").click()
    expect(console.locator("#organization-users")).to_contain_text(owner_email)
    shoot(console, "5-console-organisation", phone=False)

    # 6. Impersonation: the organisation's "Impersonate a user" → the owner, 15 minutes, a reason → its host.
    console.get_by_role("link", name="Impersonate a user").click()
    expect(console).to_have_url(site.url(f"/admin/impersonate/?organization={organization.pk}"))
    console.get_by_label("User").select_option(label=f"{owner_email} (Owner)")
    console.get_by_label("Minutes").fill("15")
    console.get_by_label("Reason").fill("Tour: the owner asked why the last payment failed")
    shoot(console, "6-impersonate-form", phone=False)
    console.get_by_role("button", name="Open Tour Fabrication as this user").click()
    console.wait_for_url(re.compile("^" + re.escape(site.tenant_url(organization, "/"))))
    banner = console.locator(".banner-impersonation")
    expect(banner).to_contain_text("Olga Owner")  # who you are signed in as, and on whose behalf
    expect(banner).to_contain_text("operator@unison.test")
    shoot(console, "6-impersonating")
    banner.get_by_role("button", name="End impersonation").click()
    console.wait_for_url(lambda url: not url.startswith(site.tenant_url(organization, "/")) or "/accounts/login/" in url)
    expect(console.locator(".banner-impersonation")).to_have_count(0)
    shoot(console, "6-impersonation-ended", phone=False)
    console.goto(site.tenant_url(organization, "/"))  # signed out of the workspace: its sign-in page
    expect(console).to_have_url(re.compile("^" + re.escape(site.tenant_url(organization, "/accounts/login/"))))
    console.goto(site.url("/admin/"))
    console.get_by_role("link", name="Audit log").click()
    expect(console).to_have_url(site.url("/admin/platform_admin/auditentry/"))
    audit = console.locator("#result_list")
    expect(audit).to_contain_text("Started an impersonation")
    expect(audit).to_contain_text("Ended an impersonation")
    shoot(console, "6-audit-log", phone=False)
    assert set(AuditEntry.objects.filter(organization_id=organization.pk).values_list("action", flat=True)) >= {
        "impersonation_start", "impersonation_end"}
