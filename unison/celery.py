"""The Celery app: Redis broker, configured from Django settings (``CELERY_*``).

tenant-schemas-celery's app stamps every task with the schema it was queued in,
and the worker runs the task in that schema; tasks queued on the public schema
run on public.
"""

from __future__ import annotations

import os

from celery.signals import task_failure
from tenant_schemas_celery.app import CeleryApp

from unison.task_failures import task_failure_log

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unison.settings.base")

app = CeleryApp("unison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
task_failure.connect(task_failure_log, dispatch_uid="unison_task_failure_log")
