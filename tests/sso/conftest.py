"""A real OpenID Connect provider in a second process (tests/sso/oidc_provider.py), and Enterprise workspaces."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.lifecycle.conftest import free_port
from tests.shopfloor.conftest import plan_set

ROOT = Path(__file__).resolve().parents[2]


class Provider:
    def __init__(self, url: str):
        self.url = url

    def act(self, **state) -> None:
        """Tell the provider who signs in next and how it misbehaves (mode="" for not at all)."""
        defaults = {"email": "pat@idp.example.com", "name": "Pat Sso", "groups": ["staff"], "mode": ""}
        requests.post(self.url + "/control", json={**defaults, **state}, timeout=5).raise_for_status()


@pytest.fixture(scope="session")
def oidc_provider():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sso.oidc_provider", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url + "/.well-known/openid-configuration", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"the test OIDC provider did not start: {process.stderr.read1().decode()}")
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(timeout=5)


@pytest.fixture
def enterprise(organization):
    plan_set(organization, "enterprise")
    return organization
