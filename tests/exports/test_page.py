"""Settings → Export (/settings/export/): start, progress that htmx follows, download, history."""

from __future__ import annotations

from exports import services
from exports.models import Export
from tests.conftest import client_for
from tests.exports.conftest import in_schema


def test_an_owner_sees_what_an_export_holds_and_can_start_one(organization, owner):
    page = client_for(organization, owner).get("/settings/export/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Export your data" in body and "No export yet." in body and "manifest.json" in body
    assert ">\n        Start export</button>" in body and "hx-trigger" not in body


def test_starting_shows_the_progress_which_htmx_polls_until_it_is_done(organization, owner):
    client = client_for(organization, owner)
    started = client.post("/settings/export/")
    assert started.status_code == 302 and started["Location"] == "/settings/export/"
    page = client.get("/settings/export/").content.decode()
    assert "Export 1 started: this page shows its progress." in page
    assert 'hx-trigger="every 2s"' in page and 'role="progressbar"' in page and "disabled" in page
    part = client.get("/settings/export/", HTTP_HX_REQUEST="true").content.decode()
    assert part.startswith('<div id="export-status"') and "<html" not in part

    with in_schema(organization):
        services.export_build(export_id=Export.objects.get().pk)
    done = client.get("/settings/export/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and 'href="/api/v1/export/1/download"' in done and "Download zip (" in done
    assert "Start a new export" in done


def test_earlier_exports_are_listed_with_their_files(organization, owner):
    with in_schema(organization):
        for _ in range(2):
            services.export_build(export_id=Export.objects.create(requested_by=owner).pk)
        Export.objects.create(requested_by=owner, status="failed", error="The export failed before it was complete.")
    page = client_for(organization, owner).get("/settings/export/").content.decode()
    assert "The export failed before it was complete." in page and "Earlier exports" in page
    assert page.count('href="/api/v1/export/') == 2
