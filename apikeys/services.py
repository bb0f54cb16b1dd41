"""Writes of API keys: make one (shown once), revoke one, note its use; each audited.

What is audited ("every use", without a write per GET): the creation and the revocation of a key;
every refused use (unknown, malformed, revoked or expired key, a read key on a write, a plan without API
access, an endpoint keys may not call), at most once a minute for the same reason, key and address so a
flood of bad keys cannot flood the log; and every write call (POST, PUT, PATCH, DELETE) made with a key,
with its method, path and answer. Reads are not audited one by one: ``last_used_at`` moves at most once
a minute (``LAST_USED_EVERY``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from apikeys.keys import key_generate, key_hash
from apikeys.models import APIKey, Scope
from platform_admin.services import audit_record
from unison.errors import ApplicationError

LAST_USED_EVERY = timedelta(minutes=1)
REFUSAL_AUDIT_EVERY = 60  # seconds: one audit entry per reason, key and address in that time
EXPIRY_DAYS = (1, 730)
KEYS_PER_WORKSPACE = 50


def actor_label(key: APIKey | None) -> str:
    """Return how the audit log names a key: "API key <name>" (the author of what the key writes)."""
    return f"API key {key.name}" if key is not None else "API key (unknown)"


@transaction.atomic
def api_key_create(*, organization, name: str, scope: str, expires_in_days: int | None, actor_email: str,
                   now: datetime | None = None) -> tuple[APIKey, str]:
    """Make a key of the current workspace; audit it; return it and the key itself (shown this once only)."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise ApplicationError("Give the key a name.", field="name")
    if scope not in Scope.values:
        raise ApplicationError("Choose read or write.", field="scope")
    if expires_in_days is not None and not EXPIRY_DAYS[0] <= expires_in_days <= EXPIRY_DAYS[1]:
        raise ApplicationError(f"Expiry is {EXPIRY_DAYS[0]} to {EXPIRY_DAYS[1]} days, or none.", field="expires_in_days")
    if APIKey.objects.filter(revoked_at__isnull=True).count() >= KEYS_PER_WORKSPACE:
        raise ApplicationError(f"A workspace has at most {KEYS_PER_WORKSPACE} keys: revoke one first.",
                               code="api_key_limit", status=409)
    if APIKey.objects.filter(name__iexact=name, revoked_at__isnull=True).exists():
        raise ApplicationError("Another key has this name.", field="name", status=409, code="name_taken")
    prefix, raw = key_generate()
    key = APIKey.objects.create(
        name=name, prefix=prefix, hashed_key=key_hash(raw, schema_name=connection.schema_name), scope=scope,
        created_at=now, created_by=actor_email,
        expires_at=None if expires_in_days is None else now + timedelta(days=expires_in_days))
    _audit(organization=organization, action="api_key_create", actor_email=actor_email, key=key,
           details={"scope": scope, "expires_at": key.expires_at.isoformat() if key.expires_at else None})
    return key, raw


@transaction.atomic
def api_key_revoke(*, organization, key_id: int, actor_email: str) -> APIKey:
    """Revoke the key ``key_id`` of the current workspace at once; audit it; return it (404 if none).

    Revoking a revoked key changes nothing and is not audited again.
    """
    key = APIKey.objects.select_for_update().filter(pk=key_id).first()
    if key is None:
        raise ApplicationError("No API key of this workspace has this id.", code="not_found", status=404)
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = timezone.now(), actor_email
        key.save(update_fields=["revoked_at", "revoked_by"])
        _audit(organization=organization, action="api_key_revoke", actor_email=actor_email, key=key, details={})
    return key


def api_key_use_record(*, key: APIKey, now: datetime | None = None) -> None:
    """Move the key's ``last_used_at`` to now, unless it moved less than a minute ago (then write nothing)."""
    now = now or timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def api_key_refusal_record(*, organization, reason: str, key: APIKey | None, prefix: str, address: str,
                           method: str, path: str) -> bool:
    """Audit a refused use of a key; return False when the same one was audited in the last minute."""
    if organization is None:
        return False
    if not cache.add(f"apikey-refused:{reason}:{prefix}:{address}", 1, REFUSAL_AUDIT_EVERY):
        return False
    _audit(organization=organization, action="api_key_refused", actor_email=actor_label(key), key=key,
           details={"reason": reason, "prefix": prefix, "address": address, "method": method, "path": path[:200]})
    return True


def api_key_write_record(*, organization, key: APIKey, method: str, path: str, status: int) -> None:
    """Audit a write call made with the key: the key is its author."""
    _audit(organization=organization, action="api_key_write", actor_email=actor_label(key), key=key,
           details={"method": method, "path": path[:200], "status": status})


def _audit(*, organization, action: str, actor_email: str, key: APIKey | None, details: dict) -> None:
    details = {**details, "schema": connection.schema_name}
    if key is not None:
        details.update(key_id=key.pk, key_name=key.name, key_prefix=key.prefix)
    audit_record(actor=None, actor_email=actor_email, action=action, target=key or organization,
                 organization_id=organization.pk, details=details)
