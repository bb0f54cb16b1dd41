"""Log every failed Celery task at ERROR: its name, id, tenant schema and traceback."""

from __future__ import annotations

import logging

from tenant_schemas_celery.app import get_schema_name_from_task

from unison.request_id import current_schema

logger = logging.getLogger(__name__)


def task_schema(task) -> str:
    """Return the schema the task ran in: the one tenant-schemas-celery sent with it, else the connection's."""
    try:
        return get_schema_name_from_task(task, None) or current_schema()
    except AttributeError:  # no request context (the task was called directly)
        return current_schema()


def task_failure_log(sender=None, task_id=None, exception=None, einfo=None, **kwargs) -> None:
    """Log a task failure (a ``celery.signals.task_failure`` receiver) with its traceback."""
    name = getattr(sender, "name", sender)
    logger.error("Task %s[%s] failed in schema %s: %r", name, task_id, task_schema(sender), exception,
                 exc_info=(type(exception), exception, exception.__traceback__) if exception else None)
