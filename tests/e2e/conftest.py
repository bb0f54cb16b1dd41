"""The shared browser-test harness: a live server on the public and tenant hosts, and Debian's Chromium.

Mark browser tests ``@pytest.mark.e2e``. Fixtures:

- ``site`` — the live server, reachable as ``http://localhost:<port>/`` (public host) and
  ``http://<slug>.localhost:<port>/`` (tenant hosts). Settings that build links
  (``UNISON_PORT``, ``CSRF_TRUSTED_ORIGINS``, ``ALLOWED_HOSTS``) follow its port for the test.
  ``site.url("/pricing/")`` → public address; ``site.tenant_url(org, "/")`` → a tenant's address.
  The database is transactional (committed, visible to the server); pytest-django empties
  the public tables after each test. Use ``make_organization`` / ``organization`` (unique
  slugs) for tenants the browser visits.
- ``browser`` — one headless Chromium (``/usr/bin/chromium``) per test session, shared even by
  modules elsewhere that import these fixtures (``from tests.e2e.conftest import browser, page, site``).
- ``page`` — a fresh browser context and page per test (own cookies), 1280×800;
  ``mobile_page`` is the same at 375×740.
- ``screenshot(page, "name")`` — save a full-page PNG to
  ``test-output/screenshots/<test name>--<name>.png`` for review (the folder is gitignored).
- ``sign_in(page, organization, user)`` — open the tenant host already signed in as ``user``,
  through a one-time login token (the way signup and impersonation do it).

The cache is cleared before each browser test so throttles and cached entitlements from one test
never leak into the next.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Custom-domain tests (tests/domains) serve a workspace on hosts under example.test: this machine's.
    "--host-resolver-rules=MAP *.example.test 127.0.0.1",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Give every test in this folder the e2e marker, so `-m "not e2e"` skips the browser."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class Site:
    port: int
    base_domain: str

    def url(self, path: str = "/") -> str:
        """Return the public host's address of ``path``."""
        return f"http://{self.base_domain}:{self.port}{path}"

    def tenant_url(self, organization, path: str = "/") -> str:
        """Return the address of ``path`` on the organisation's host."""
        return f"http://{organization.host}:{self.port}{path}"


@pytest.fixture
def site(live_server, settings) -> Site:
    """Return the live server, with host-building settings pointed at its port for this test."""
    from django.core.cache import cache

    port = live_server.thread.port
    base = settings.UNISON_BASE_DOMAIN
    settings.UNISON_SCHEME = "http"
    settings.UNISON_PORT = str(port)
    settings.ALLOWED_HOSTS = [base, f".{base}"]
    settings.CSRF_TRUSTED_ORIGINS = [f"http://{base}:{port}", f"http://*.{base}:{port}"]
    cache.clear()
    return Site(port=port, base_domain=base)


# One Playwright and one Chromium per process. Playwright's sync API allows a single instance per
# thread, and modules elsewhere import these fixtures (each import is a fixture of its own), so
# every `browser` fixture hands out this one; the last to finish closes it.
_shared: dict = {"users": 0, "playwright": None, "browser": None}


@pytest.fixture(scope="session")
def browser():
    """Return the session's headless Chromium (Debian's), launching it on first use."""
    if _shared["browser"] is None:
        from playwright.sync_api import sync_playwright

        # Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
        # around it are still synchronous, so tell Django not to refuse them.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception:
            # Stop Playwright's event loop in this thread, else every later test that starts one
            # fails with "using Playwright Sync API inside the asyncio loop" instead of this error.
            playwright.stop()
            raise
        _shared["playwright"] = playwright
    _shared["users"] += 1
    yield _shared["browser"]
    _shared["users"] -= 1
    if _shared["users"] == 0:
        _shared["browser"].close()
        _shared["playwright"].stop()
        _shared.update(playwright=None, browser=None)


def _new_page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, site):
    """Return a fresh desktop-sized page with its own cookies."""
    context, new_page = _new_page(browser, 1280, 800)
    yield new_page
    context.close()


@pytest.fixture
def mobile_page(browser, site):
    """Return a fresh page 375 px wide, like a small phone."""
    context, new_page = _new_page(browser, 375, 740)
    yield new_page
    context.close()


@pytest.fixture
def screenshot(request):
    """Return a function that saves a full-page screenshot named after the test; return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{test_name}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(site):
    """Return a function that opens the organisation's host in ``page``, signed in as ``user``."""
    from tenants.services import login_token_issue

    def open_signed_in(page, organization, user, path: str = "/"):
        page.goto(login_token_issue(organization=organization, user_id=user.pk))
        if path != "/":
            page.goto(site.tenant_url(organization, path))
        return page

    return open_signed_in


def billing_address_fill(page, *, country: str = "US", tax_id: str = "") -> None:
    """Fill the stand-in Checkout's billing address (and tax ID), which Unison's sessions require."""
    page.select_option("#country", country)
    page.fill("#line1", "1 Main Street")
    page.fill("#city", "Springfield")
    page.fill("#postal_code", "12345")
    if tax_id:
        page.fill("#tax_id", tax_id)
