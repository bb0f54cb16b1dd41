"""Logging: warnings and errors to stderr, each line with the tenant schema and the request id.

Every ``django.request`` error (a 500 with its traceback) and every Celery task failure
(``unison.task_failures``) ends up here; ``unison.request_id`` adds the two fields.
"""

from __future__ import annotations

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "unison.request_id.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s schema=%(schema)s request=%(request_id)s %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_context"],
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # Django's default prints these only with DEBUG on and mails 500s to ADMINS (we have none):
        # no handlers of its own, so they reach stderr through the root, once.
        "django": {"handlers": [], "level": "INFO"},
    },
}
