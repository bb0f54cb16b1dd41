"""Celery on Redis. ``make run`` and ``make test`` start a local Redis when none answers (unison/devservices.py)."""

from __future__ import annotations

from celery.schedules import crontab

from unison.settings.env import env

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/0"))
CELERY_RESULT_BACKEND = None
# One Redis can serve several environments (or test runs), each on a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# With no broker configured (CELERY_BROKER_URL=""), tasks run in-process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Publishing fails fast when Redis is down, so a web request never hangs on it: the
# notice stays queued in its outbox row (notifications) and is sent when Redis is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# The lifecycle jobs (subscriptions/tasks.py, notifications/tasks.py). Usage alerts are
# queued by the usage run itself when it finishes. Times are UTC.
CELERY_BEAT_SCHEDULE = {
    "track-usage": {"task": "subscriptions.track_usage", "schedule": crontab(minute=15, hour="*/6")},
    # Daily would do; hourly suspends a lapsed trial within the hour it ends.
    "expire-trials": {"task": "subscriptions.expire_trials", "schedule": crontab(minute=5)},
    "warn-trials": {"task": "subscriptions.warn_trials", "schedule": crontab(minute=0, hour=9)},
    # Stripe events that no wake reached (the broker was down) or that failed and are due a retry.
    "sweep-webhooks": {"task": "billing.sweep_webhooks", "schedule": 60.0},
    "resend-notifications": {"task": "notifications.resend_waiting", "schedule": 60.0},
    # An impersonation that timed out (no "End impersonation") still gets its end audited.
    # Workspace deletion: the owners' reminder a week before, then the purge of those due (deletion/tasks.py).
    "remind-deletions": {"task": "deletion.remind_due", "schedule": crontab(minute=30, hour=8)},
    "purge-deletions": {"task": "deletion.purge_due", "schedule": crontab(minute=0, hour=3)},
    "close-expired-impersonations": {"task": "platform_admin.close_expired_impersonations", "schedule": 300.0},
    # Custom domains whose TXT record was not there yet at "Verify now" (domains/tasks.py).
    "recheck-custom-domains": {"task": "domains.recheck", "schedule": 600.0},
}
