"""Personas and helpers for the deletion tests; the real worker comes from tests/lifecycle."""

from __future__ import annotations

import pytest

from tests.lifecycle.conftest import broker, mail_dir, queue, start_worker  # noqa: F401


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep the workspaces' files in this test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def ask(client, name: str):
    """POST /api/v1/deletion with ``confirm_name``; return the response."""
    return client.post("/api/v1/deletion", {"confirm_name": name}, content_type="application/json")
