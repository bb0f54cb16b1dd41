"""Daily jobs: remind owners a week before their workspace is deleted, and purge the ones due."""

from __future__ import annotations

from deletion import services
from unison.celery import app


@app.task(name="deletion.purge_due")
def deletions_purge_due_task() -> int:
    return services.deletions_purge_due()


@app.task(name="deletion.remind_due")
def deletions_remind_task() -> int:
    return services.deletions_remind()
