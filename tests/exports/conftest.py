"""Personas, filled workspaces and helpers for the export tests; the real worker comes from tests/lifecycle."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django_tenants.utils import schema_context

from tests.conftest import client_for, tenant_user
from tests.lifecycle.conftest import broker, mail_dir, queue, start_worker  # noqa: F401
from tests.security.factories import workspace_fill


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep export files in this test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def filled(organization, owner):
    """Return the organisation holding one record of each kind (named "Victim"), a member and an admin."""
    workspace_fill(organization, "Victim")
    tenant_user(organization, role="member")
    tenant_user(organization, role="admin")
    return organization


def export_started(organization, user, client=None):
    """POST /api/v1/export as ``user`` (session); return the response."""
    client = client or client_for(organization, user)
    return client.post("/api/v1/export", content_type="application/json")


def zip_read(content: bytes) -> dict:
    """Return the zip's manifest, its file bytes by name, and each table's CSV rows and JSON records by path."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(files["manifest.json"])
    tables = {}
    for table in manifest["tables"]:
        path = f"{table['section']}/{table['name']}"
        rows = list(csv.reader(io.StringIO(files[f"{path}.csv"].decode("utf-8"), newline="")))
        tables[path] = {"header": rows[0], "rows": rows[1:], "records": json.loads(files[f"{path}.json"])}
    return {"manifest": manifest, "files": files, "tables": tables}


def in_schema(organization):
    return schema_context(organization.schema_name)
