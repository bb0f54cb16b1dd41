"""Celery tasks of the console: thin wrappers over platform_admin.services."""

from __future__ import annotations

from platform_admin.services import impersonations_close_expired
from unison.celery import app


@app.task(name="platform_admin.close_expired_impersonations")
def close_expired_impersonations_task() -> int:
    """Audit the end of impersonation sessions that timed out instead of signing out."""
    return impersonations_close_expired()
