"""Celery tasks of the public site: thin wrappers over marketing.services."""

from __future__ import annotations

from marketing import services
from unison.celery import app


@app.task(name="marketing.workspace_list_send")
def workspace_list_send_task(email: str) -> int:
    """E-mail the address its workspaces; return how many it has."""
    return services.workspace_list_send(email=email)
