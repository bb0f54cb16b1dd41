"""A request id on every request, its response and every log line written while it runs, beside the schema.

The id is the client's (or the proxy's) ``X-Request-ID`` when it is a sane token, else a new one,
so a user's report, the proxy's access log and our error lines can be matched up.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
SANE = re.compile(r"[A-Za-z0-9._-]{1,64}")
NONE = "-"

current_request_id: ContextVar[str] = ContextVar("request_id", default=NONE)


def request_id_for(request) -> str:
    """Return the request's X-Request-ID if it is up to 64 of [A-Za-z0-9._-], else a new uuid4 hex."""
    given = request.headers.get(HEADER, "")
    return given if SANE.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (``request.request_id``), answer it in X-Request-ID and tag its log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response[HEADER] = request.request_id
        return response


def current_schema() -> str:
    """Return the schema the database connection of this thread is on, or "-" before there is one."""
    from django.db import connection

    try:
        return getattr(connection, "schema_name", None) or NONE
    except Exception:  # noqa: BLE001 - a log line must never fail for want of its schema (settings not ready)
        return NONE


class RequestContextFilter(logging.Filter):
    """Add ``schema`` and ``request_id`` to every record, for formats that print them."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs a 4xx/5xx response after the middleware has returned: read its request then.
        request = getattr(record, "request", None)
        tenant = getattr(request, "tenant", None)
        record.schema = getattr(tenant, "schema_name", None) or current_schema()
        record.request_id = getattr(request, "request_id", None) or current_request_id.get()
        return True
