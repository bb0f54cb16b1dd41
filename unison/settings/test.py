"""Test overrides."""

from __future__ import annotations

from unison.settings.base import *  # noqa: F403
from unison.settings.env import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_FAILURE_LIMIT = 5

# Tasks run in-process in tests; tests about the worker and the broker turn this off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# A Celery worker started by a test writes its mail to files that the test reads.
if env("TEST_EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("TEST_EMAIL_FILE_PATH")

# A tenant app whose migrations tests/tenants/test_migrate_workspaces.py applies across workspaces.
TENANT_APPS = [*TENANT_APPS, "tests.tenants.migration_probe"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "tests.tenants.migration_probe"]  # noqa: F405
