"""Start and stop the localstripe server process (see ``__main__.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "sk_test_" + "unisondevelopmentkey000000"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"  # attaches, then every charge is declined
AUTHENTICATION_CARD = "4000002760003184"  # every payment asks the card holder to authenticate


class StripeServer:
    """A running localstripe: ``url`` is its base, ``call()`` reaches its test-only routes."""

    def __init__(self, log_path: str | None = None, args: tuple[str, ...] = ()):
        """Start the server with the command-line ``args`` of ``python -m devstripe`` (e.g. ``("--store", path)``).

        Its access log and webhook deliveries go to ``log_path`` if given.
        """
        self.log = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstripe", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError(f"localstripe did not start: {line!r}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, **data) -> dict:
        """Call a route of the server with the test API key and return its JSON."""
        response = requests.request(method, self.url + path, data=data, auth=(API_KEY, ""), timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
