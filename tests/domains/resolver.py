"""The TXT resolver the tests give ``DOMAINS_TXT_RESOLVER`` instead of the DNS.

This is our own seam at the network boundary (``domains.resolvers``): no test may reach a name server,
so the records a test "creates" at its DNS provider are kept here.
"""

from __future__ import annotations

from domains.resolvers import LookupFailed

RECORDS: dict[str, list[str]] = {}
NOT_ANSWERING: set[str] = set()


def txt_records(name: str) -> list[str]:
    if name in NOT_ANSWERING:
        raise LookupFailed(f"The DNS look-up of {name} did not answer (Timeout); try again in a few minutes.")
    return list(RECORDS.get(name, []))
