"""The TXT resolver the tests give ``DOMAINS_TXT_RESOLVER`` instead of the DNS.

This is our own seam at the network boundary (``domains.resolvers``): no test may reach a name server,
so the records a test "creates" at its DNS provider are kept here, or, for a Celery worker started by a
test (another process), in the JSON file named by ``TEST_DNS_RECORDS_FILE``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from domains.resolvers import LookupFailed

RECORDS: dict[str, list[str]] = {}
NOT_ANSWERING: set[str] = set()


def txt_records(name: str) -> list[str]:
    if name in NOT_ANSWERING:
        raise LookupFailed(f"The DNS look-up of {name} did not answer (Timeout); try again in a few minutes.")
    path = os.environ.get("TEST_DNS_RECORDS_FILE")
    records = json.loads(Path(path).read_text()) if path and Path(path).exists() else RECORDS
    return list(records.get(name, []))
