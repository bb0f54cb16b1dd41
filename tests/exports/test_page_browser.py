"""Settings → Export in Chromium: start an export, watch htmx follow it to done, download the zip; 390 and 1440 px."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from exports import services
from exports.models import Export
from subscriptions.models import Status
from tests.conftest import tenant_user
from tests.e2e.conftest import browser, page, screenshot, sign_in, site  # noqa: F401  (the shared browser harness)
from tests.exports.conftest import zip_read
from tests.security.factories import workspace_fill
from tests.shopfloor.conftest import plan_set

pytestmark = pytest.mark.e2e
WIDTHS = ((390, 844), (1440, 900))  # a phone, a desktop


def _shots(page, screenshot, name: str) -> None:  # noqa: F811
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        path = screenshot(page, f"{name}-{width}")
        shutil.copy(path, Path("/tmp") / f"export-{name}-{width}.png")


def test_an_owner_of_a_suspended_workspace_exports_and_downloads_in_the_browser(
    site, page, sign_in, screenshot, make_organization  # noqa: F811
):
    organization = make_organization(name="Export Works")
    workspace_fill(organization, "Browser")
    owner = tenant_user(organization, role="owner")
    plan_set(organization, "professional", Status.SUSPENDED)
    sign_in(page, organization, owner, "/settings/export/")

    banner = page.locator('[data-banner="read-only"]')
    expect(banner.get_by_role("link", name="export your data")).to_have_attribute("href", "/settings/export/")
    expect(page.get_by_role("heading", name="Export your data")).to_be_visible()
    with schema_context(organization.schema_name):
        Export.objects.all().delete()  # workspace_fill's finished export: start from none
    page.reload()
    expect(page.get_by_text("No export yet.")).to_be_visible()
    _shots(page, screenshot, "empty")

    page.get_by_role("button", name="Start export").click()  # the test server builds it at once (eager)
    expect(page.get_by_text("Export", exact=False).first).to_be_visible()
    download_link = page.get_by_role("link", name="Download zip")
    expect(download_link).to_be_visible()
    with page.expect_download() as info:
        download_link.click()
    content = zip_read(Path(info.value.path()).read_bytes())
    assert content["manifest"]["organization"]["slug"] == organization.slug
    assert content["tables"]["workspace/shopfloor_plant"]["records"][0]["name"] == "Browser plant"

    with schema_context(organization.schema_name):
        running = Export.objects.create(requested_by=owner, status="running", progress=40)
    page.reload()
    expect(page.get_by_role("progressbar", name="Export progress")).to_have_attribute("aria-valuenow", "40")
    expect(page.get_by_role("button", name="Export running…")).to_be_disabled()
    _shots(page, screenshot, "running")

    with schema_context(organization.schema_name):
        Export.objects.filter(pk=running.pk).update(status="queued")
        services.export_build(export_id=running.pk)
    expect(page.get_by_role("link", name="Download zip")).to_be_visible(timeout=6000)  # htmx's poll, no reload
    expect(page.get_by_role("heading", name="Earlier exports")).to_be_visible()
    _shots(page, screenshot, "done")
