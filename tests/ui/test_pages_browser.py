"""The design system in Chromium: every main page at 390 and 1440 px loads the built stylesheet, fits
the screen without sideways scrolling, and keeps buttons one height; screenshots for review.

Screenshots go to test-output/screenshots/ui-<page>-<width>.png (or $UI_SHOTS, e.g. /tmp/shots).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from tests.e2e import conftest as e2e
from tests.shopfloor.conftest import plan_set

browser, site = e2e.browser, e2e.site

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("UI_SHOTS") or e2e.SCREENSHOTS)
WIDTHS = (390, 1440)


def test_the_stylesheet_is_built_and_found_by_staticfiles():
    path = finders.find("build/unison.css")
    assert path, "run `make install` (npm ci and the Tailwind build) first"
    css = Path(path).read_text()
    assert ".app-nav" in css and ".button" in css and "--color-accent-600" in css


def _look(page, name: str) -> None:
    """Save the page's screenshot, then check what every page must be at this width."""
    layout = page.evaluate("""() => ({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        css: [...document.styleSheets].some(s => (s.href || '').includes('/static/build/unison.css')),
        heights: [...document.querySelectorAll('main .button:not(.small):not(.large):not(.mk-actions .button), .page-header .button')]
            .filter(b => b.offsetParent).map(b => b.getBoundingClientRect().height),
        dashes: [...document.querySelectorAll('option')].filter(o => o.textContent.trim() === '---------').length,
    })""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"ui-{name}-{page.viewport_size['width']}.png"), full_page=True)
    assert layout["css"], name
    assert layout["overflow"] <= 0, f"{name} scrolls sideways by {layout['overflow']} px"
    assert len(set(layout["heights"])) <= 1, f"{name} has buttons of heights {sorted(set(layout['heights']))}"
    assert layout["dashes"] == 0, name


@pytest.mark.parametrize("width", WIDTHS)
def test_the_public_pages_look_right(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in (("landing", "/"), ("pricing", "/pricing/"), ("signup", "/signup/")):
        page.goto(site.url(path))
        _look(page, name)
    page.get_by_role("button", name="Create my workspace").click()
    page.wait_for_selector(".field-error")
    _look(page, "signup-errors")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_tenant_pages_look_right(browser, site, workspace, width):
    from tenants.services import login_token_issue

    organization, owner = workspace
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(site.tenant_url(organization, "/accounts/login/"))
    _look(page, "sign-in")
    page.goto(login_token_issue(organization=organization, user_id=owner.pk))
    for name, path in (("dashboard", "/"), ("work-orders", "/work-orders/"), ("team", "/team/"),
                       ("plants", "/plants/"), ("materials", "/materials/"), ("billing", "/billing/")):
        page.goto(site.tenant_url(organization, path))
        _look(page, name)
        # Every tab is on screen: on a phone they wrap rather than scroll out of sight.
        hidden = page.evaluate("""() => [...document.querySelectorAll('.app-nav a')]
            .filter(a => a.getBoundingClientRect().right > window.innerWidth).map(a => a.textContent.trim())""")
        assert not hidden, f"{name}: tabs off screen at {width} px: {hidden}"
        current = page.locator('.app-nav a[aria-current="page"]')
        assert current.count() == 1 and current.get_attribute("href") == path, name
    page.goto(site.tenant_url(organization, "/work-orders/new/"))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".field-error")
    assert page.locator("[aria-invalid=true]").count() >= 1
    _look(page, "form-errors")
    plan_set(organization, "professional", status="suspended")
    page.goto(site.tenant_url(organization, "/"))
    assert page.locator("[data-read-only-note]").count() == 1
    _look(page, "suspended-dashboard")
    context.close()
