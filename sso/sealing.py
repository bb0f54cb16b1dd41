"""Seal and open secrets kept in the database (the OIDC client secret), keyed on SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(f"sso.sealing:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str) -> str:
    """Return ``value`` encrypted and authenticated ("" stays "")."""
    return _fernet(settings.SECRET_KEY).encrypt(value.encode()).decode() if value else ""


def unseal(sealed: str) -> str:
    """Return the secret; "" when none is kept or no current or fallback key opens it."""
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            return _fernet(secret).decrypt(sealed.encode()).decode() if sealed else ""
        except InvalidToken:
            continue
    return ""
