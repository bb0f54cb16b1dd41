"""Reads of custom domains."""

from __future__ import annotations

from dataclasses import dataclass

from domains.models import CustomDomain

FEATURE = "custom_domains"


@dataclass(frozen=True)
class Record:
    """The DNS record an owner creates to prove a claim."""

    name: str
    type: str
    value: str


def custom_domain_list(*, organization) -> list[CustomDomain]:
    """Return the workspace's claims, by host."""
    return list(CustomDomain.objects.filter(organization=organization))


def custom_domain_record(row: CustomDomain) -> Record:
    """Return the TXT record that proves ``row``."""
    return Record(name=row.record_name, type="TXT", value=row.token)
