"""Production settings: `check --deploy` is clean, and a missing secret fails loudly.

These run ``manage.py`` as a subprocess, because settings are read once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


# What a test run may have put in this process's environment that a deployment would not have.
NOT_INHERITED = ("SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    environment.update(DJANGO_SETTINGS_MODULE="unison.settings.base", DATABASE_URL=_database_url(), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "kq3v9-production-like-secret-of-enough-length-and-variety-8f2Zx!",
    "UNISON_BASE_DOMAIN": "unison.example.com",
    "STRIPE_LIVE_MODE": "false",
    # Shared by every process, so a plan change reaches them all at once (never connected to by `check`).
    "CACHE_BACKEND": "django.core.cache.backends.redis.RedisCache",
    "CACHE_LOCATION": "redis://127.0.0.1:6379/1",
}


def test_check_deploy_reports_no_warnings_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_needs_no_cache_settings_since_production_caches_in_redis_by_default():
    production = {k: v for k, v in PRODUCTION.items() if not k.startswith("CACHE_")}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_warns_when_production_caches_in_each_process():
    production = {**PRODUCTION, "CACHE_BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode != 0
    assert "subscriptions.W001" in result.stdout + result.stderr


def test_a_missing_secret_key_is_a_loud_error_when_debug_is_off():
    production = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **production)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_development_needs_no_secret_key():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stdout + result.stderr
