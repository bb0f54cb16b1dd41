"""Settings of bench/scale.py: the product's, plus the probe tenant app whose AddField it applies everywhere."""

from __future__ import annotations

from unison.settings.base import *  # noqa: F403

TENANT_APPS = [*TENANT_APPS, "tests.tenants.migration_probe"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "tests.tenants.migration_probe"]  # noqa: F405
