"""A task the scaling tests' Celery worker imports (``--include``): it reports what the worker sees."""

from __future__ import annotations

import json
from pathlib import Path

from subscriptions.entitlements import entitlements_for
from tenants.models import Organization
from unison.celery import app


@app.task(name="tests.scaling.entitlements_seen")
def entitlements_seen(organization_id: int, path: str) -> None:
    """Write the organisation's entitlements as this worker reads them (tier, API access) to ``path``."""
    entitlements = entitlements_for(Organization.objects.get(pk=organization_id))
    Path(path).write_text(json.dumps({"tier": entitlements.tier, "api_access": entitlements.has("api_access")}))
