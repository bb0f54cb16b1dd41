"""The shape of a key, ``uk_<8 hex prefix>_<43 url-safe characters>``, and the hash kept of it.

The hash is an HMAC keyed with the schema the key was made in: a row copied into another workspace's
schema would not verify there, so a prefix can never open a key across schemas.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

KEY_PATTERN = re.compile(r"uk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")


def key_generate() -> tuple[str, str]:
    """Return a new (prefix, key)."""
    prefix = secrets.token_hex(4)
    return prefix, f"uk_{prefix}_{secrets.token_urlsafe(32)}"


def key_prefix(raw: str) -> str | None:
    """Return the prefix of a well-formed key, else None."""
    match = KEY_PATTERN.fullmatch(raw)
    return match.group(1) if match else None


def key_hash(raw: str, *, schema_name: str) -> str:
    """Return the hex HMAC-SHA256 of the key, keyed with its workspace's schema."""
    return hmac.new(f"unison.apikey:{schema_name}".encode(), raw.encode(), hashlib.sha256).hexdigest()


def key_matches(raw: str, hashed: str, *, schema_name: str) -> bool:
    """Return whether ``raw`` is the key whose hash is ``hashed``, in constant time."""
    return hmac.compare_digest(key_hash(raw, schema_name=schema_name), hashed)
