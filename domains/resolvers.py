"""TXT record look-ups, the one network call of verification: ``DOMAINS_TXT_RESOLVER`` names the function.

A resolver takes a record name and returns the values of its TXT records (``[]`` when there are none);
it raises ``LookupFailed`` with a message for the owner when DNS cannot answer. Tests set their own.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

LIFETIME_SECONDS = 5.0


class LookupFailed(Exception):
    """DNS gave no answer (timeout, no name servers); the message says so in plain words."""


def txt_records(name: str) -> list[str]:
    """Return the TXT values of ``name`` through the configured resolver."""
    return import_string(settings.DOMAINS_TXT_RESOLVER)(name)


def dns_txt_records(name: str) -> list[str]:
    """Look ``name`` up in the DNS (dnspython, the system's name servers)."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=LIFETIME_SECONDS)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise LookupFailed(
            f"The DNS look-up of {name} did not answer ({exc.__class__.__name__}); try again in a few minutes."
        ) from exc
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
