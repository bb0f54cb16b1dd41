"""The Celery app: Redis broker, configured from Django settings (``CELERY_*``).

tenant-schemas-celery's app stamps every task with the schema it was queued in,
and the worker runs the task in that schema; tasks queued on the public schema
run on public.
"""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unison.settings.base")

app = CeleryApp("unison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
