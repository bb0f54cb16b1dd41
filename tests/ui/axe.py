"""axe-core in Chromium: the serious and critical findings on a page, and a screenshot of it.

axe-core comes from npm (package.json pins it; ``make install`` runs ``npm ci``) and is evaluated
in the page through the DevTools protocol, which the pages' Content-Security-Policy does not govern.
Screenshots go to test-output/screenshots/axe-<surface>-<page>-<width>.png (gitignored artifacts).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.conf import settings

from tests.e2e.conftest import SCREENSHOTS

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
REPORT = SCREENSHOTS.parent / "axe"


@cache
def axe_source() -> str:
    assert AXE_JS.exists(), f"{AXE_JS} is missing: run `make install` (npm ci)"
    return AXE_JS.read_text()


def axe_findings(page) -> list[dict]:
    """Return the page's serious and critical axe violations: rule, impact, help and the first targets."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(axe_source())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")
    return [finding for finding in result if finding["impact"] in BLOCKING]


def look(page, surface: str, name: str) -> list[dict]:
    """Save the page's screenshot and return its blocking findings."""
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"axe-{surface}-{name}-{width}.png"), full_page=True)
    return axe_findings(page)


def report_write(surface: str, findings: dict[str, list[dict]]) -> Path:
    """Write every page's findings to test-output/axe/<surface>.json and return its path."""
    REPORT.mkdir(parents=True, exist_ok=True)
    path = REPORT / f"{surface}.json"
    path.write_text(json.dumps(findings, indent=2))
    return path


def summary(findings: dict[str, list[dict]]) -> str:
    return "\n".join(f"{page}: {f['impact']} {f['id']} ({f['help']}) at {', '.join(f['targets'])}"
                     for page, found in findings.items() for f in found)
