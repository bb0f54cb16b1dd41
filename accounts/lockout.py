"""How django-axes names the account a failed sign-in was aimed at."""

from __future__ import annotations


def lockout_username(request, credentials: dict | None = None) -> str:
    """Return the e-mail the attempt names, trimmed and lowercased, from the sign-in form or the token API.

    Without this, ``OWNER@x`` and ``owner@x`` would count as two accounts and each
    get its own allowance of failures.
    """
    source = credentials or getattr(request, "data", None) or request.POST
    return str(source.get("username") or source.get("email") or "").strip().lower()
