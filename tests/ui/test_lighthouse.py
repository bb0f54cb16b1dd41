"""Lighthouse (npm ``lighthouse``, pinned in package.json) on Debian's Chromium, headless and offline:
landing, pricing and signup score 95 or more for accessibility, best practices and SEO, and load
nothing from outside this machine. Reports are kept at test-output/lighthouse/<page>.report.json.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e import conftest as e2e

site = e2e.site

pytestmark = pytest.mark.e2e

LIGHTHOUSE = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "lighthouse"
REPORTS = e2e.SCREENSHOTS.parent / "lighthouse"
CATEGORIES = ("accessibility", "best-practices", "seo")
MINIMUM = 0.95
# Every host but localhost fails to resolve, so a page that reached for the internet would show it.
OFFLINE = '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost"'


def lighthouse(url: str, name: str) -> dict:
    """Run Lighthouse on ``url`` and return its report (also written under test-output/lighthouse/)."""
    assert LIGHTHOUSE.exists(), f"{LIGHTHOUSE} is missing: run `make install` (npm ci)"
    REPORTS.mkdir(parents=True, exist_ok=True)
    output = REPORTS / f"{name}.report.json"
    flags = " ".join(["--headless=new", *e2e.CHROMIUM_ARGS, OFFLINE])
    # network-requests (a performance diagnostic) comes along to list every request the page made.
    command = [str(LIGHTHOUSE), url, f"--only-categories={','.join(CATEGORIES)}",
               "--only-audits=network-requests", "--output=json",
               f"--output-path={output}", f"--chrome-flags={flags}", "--quiet", "--max-wait-for-load=30000"]
    environment = {**os.environ, "CHROME_PATH": e2e.CHROMIUM}
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
    return json.loads(output.read_text())


def failed_audits(report: dict, category: str) -> list[str]:
    """Return the audits that cost the category points, with their titles."""
    refs = report["categories"][category]["auditRefs"]
    audits = report["audits"]
    return [f"{ref['id']}: {audits[ref['id']]['title']}" for ref in refs
            if ref["weight"] and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 1]


@pytest.mark.parametrize("name,path", [("landing", "/"), ("pricing", "/pricing/"), ("signup", "/signup/")])
def test_the_page_scores_95_or_more_and_loads_nothing_from_the_internet(site, name, path):
    report = lighthouse(site.url(path), name)
    assert report["finalDisplayedUrl"] == site.url(path)
    for category in CATEGORIES:
        score = report["categories"][category]["score"]
        assert score is not None and score >= MINIMUM, (category, score, failed_audits(report, category))
    origin = site.url("")
    requests = [item["url"] for item in report["audits"]["network-requests"]["details"]["items"]]
    assert requests and all(url.startswith((origin, "data:")) for url in requests), requests
