"""The host → organisation map every tenant request reads, kept in the shared cache.

A request on a tenant host would otherwise cost a ``Domain`` query before anything else. The
answer for a host is kept in the cache (Redis in production, shared by every process) under
a key holding the host exactly, next to a *generation* token for that host. Saving or
deleting a ``Domain`` or an ``Organization`` sets a new token for each host concerned
(``tenants.apps`` connects the signals), so the next request on any process misses and reads
the database again.

The token closes the race of a request that read the old mapping just before the change and
stores it just after: it stored it under the old token, which no longer matches. The token is
set when the change is made (so the rest of that transaction reads the change) and again once
it commits (so a reader that filled the entry from the database meanwhile is not believed).
An entry also expires after ``ENTRY_SECONDS``, which bounds the damage of a lost
invalidation (``unison.cache`` drops writes while Redis is unreachable).
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Domain, Organization

ENTRY_SECONDS = 300
UNKNOWN_HOST_SECONDS = 30  # an unknown host is remembered briefly: a flood of made-up hosts costs little


def _keys(host: str) -> tuple[str, str]:
    return f"tenants:host:{host}", f"tenants:host-generation:{host}"


@contextmanager
def _public_keys():
    """Build cache keys as the public schema does (``unison.cache.make_key`` puts the schema in the key)."""
    if connection.schema_name == get_public_schema_name():
        yield
    else:
        with schema_context(get_public_schema_name()):
            yield


def _fields() -> tuple[str, ...]:
    return tuple(field.attname for field in Organization._meta.concrete_fields)


def organization_for_host(host: str) -> Organization | None:
    """Return the organisation serving ``host`` (lowercase, no port), or None if no domain is that host."""
    from django.core.cache import cache

    entry_key, generation_key = _keys(host)
    with _public_keys():
        found = cache.get_many([entry_key, generation_key])
    generation = found.get(generation_key)
    entry = found.get(entry_key)
    if entry is not None:
        cached_host, cached_generation, fields, values = entry
        # The host is checked as well as the key: an entry answers for its own host and no other.
        if cached_host == host and cached_generation == generation and fields == _fields():
            return None if values is None else Organization.from_db("default", fields, values)
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    organization = domain.tenant if domain is not None else None
    values = None if organization is None else tuple(getattr(organization, name) for name in _fields())
    with _public_keys():
        cache.set(entry_key, (host, generation, _fields(), values),
                  ENTRY_SECONDS if organization is not None else UNKNOWN_HOST_SECONDS)
    return organization


def _forget_now(hosts: set[str]) -> None:
    from django.core.cache import cache

    keys = [_keys(host) for host in hosts]
    with _public_keys():
        cache.set_many({generation_key: uuid.uuid4().hex for _, generation_key in keys}, timeout=None)
        cache.delete_many([entry_key for entry_key, _ in keys])


def hosts_forget(hosts) -> None:
    """Make the next request on each host read its organisation from the database again."""
    hosts = {host for host in hosts if host}
    if not hosts:
        return
    _forget_now(hosts)
    transaction.on_commit(lambda: _forget_now(hosts))


def organization_hosts(organization: Organization) -> set[str]:
    """Return every host the organisation is served on (its domains and its subdomain)."""
    return set(Domain.objects.filter(tenant_id=organization.pk).values_list("domain", flat=True)) | {
        organization.host}


def organization_forget(organization: Organization) -> None:
    """Make the next request on each of the organisation's hosts read it again.

    Saving or deleting the row does this by itself (signals); call it after a queryset ``update()``.
    """
    hosts_forget(organization_hosts(organization))


# Receivers, connected in tenants.apps: a cache entry must never outlive the row it was read from.

def domain_saving(sender, instance: Domain, **kwargs) -> None:
    """Remember the host a domain had before this save: its entry goes too when the host changes."""
    instance._host_before_save = (
        Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first() if instance.pk else None)


def domain_changed(sender, instance: Domain, **kwargs) -> None:
    hosts_forget({instance.domain, getattr(instance, "_host_before_save", None)})


def organization_changed(sender, instance: Organization, **kwargs) -> None:
    organization_forget(instance)
