"""500s and failed jobs are visible: stderr lines with the tenant schema and the request id.

Requests carry an id (the client's X-Request-ID when it is a sane token, else a new one) on the
response and on every log line; a failed Celery task is logged at ERROR with its name, id,
schema and traceback, in-process (eager) and from a real worker.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from notifications.tasks import notification_send_task
from tests.conftest import tenant_user
from tests.lifecycle.conftest import eventually
from unison.celery import app as celery_app
from unison.request_id import RequestContextFilter, RequestIdMiddleware, current_request_id

NEW_ID = re.compile(r"[0-9a-f]{32}")


@celery_app.task(name="tests.hardening.explode")
def explode_task() -> None:
    raise RuntimeError("the press jammed")


@pytest.fixture
def log_lines():
    """Return a buffer that receives every log line as the settings format it, filter included."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    root = logging.getLogger()
    root.addHandler(handler)
    yield buffer
    root.removeHandler(handler)


# The request id


@pytest.mark.parametrize("given", ["abc-123", "trace.ID_9", "x" * 64])
def test_a_sane_request_id_is_kept_on_the_request_the_response_and_the_log(given):
    seen = {}

    def view(request):
        seen["request"], seen["logged"] = request.request_id, current_request_id.get()
        return HttpResponse()

    response = RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID=given))
    assert seen == {"request": given, "logged": given}
    assert response["X-Request-ID"] == given
    assert current_request_id.get() == "-"  # reset once the request is done


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 65, "semi;colon", "new\nline", "ünï"])
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(given):
    headers = {} if given is None else {"HTTP_X_REQUEST_ID": given}
    response = RequestIdMiddleware(lambda request: HttpResponse())(RequestFactory().get("/", **headers))
    assert NEW_ID.fullmatch(response["X-Request-ID"])


def test_the_filter_adds_the_schema_and_the_request_id_to_every_record(organization):
    record = logging.LogRecord("anything", logging.INFO, __file__, 1, "hello", None, None)
    RequestContextFilter().filter(record)
    assert (record.schema, record.request_id) == ("public", "-")

    token = current_request_id.set("req-1")
    try:
        with schema_context(organization.schema_name):
            RequestContextFilter().filter(record)
    finally:
        current_request_id.reset(token)
    assert (record.schema, record.request_id) == (organization.schema_name, "req-1")


def test_a_tenant_request_answers_its_request_id_and_replaces_an_unsafe_one(organization):
    client = Client(HTTP_HOST=organization.host)
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID="support-ticket-42")["X-Request-ID"] == "support-ticket-42"
    assert NEW_ID.fullmatch(client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"])
    first, second = client.get("/accounts/login/"), client.get("/accounts/login/")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_500_is_logged_with_its_schema_request_id_and_traceback(organization, monkeypatch, log_lines):
    admin = tenant_user(organization, role="admin")

    def broken(**kwargs):
        logging.getLogger("shopfloor.selectors").warning("about to fail")
        raise RuntimeError("the dashboard broke")

    monkeypatch.setattr("shopfloor.selectors.dashboard_summary", broken)
    client = Client(HTTP_HOST=organization.host, raise_request_exception=False)
    with schema_context(organization.schema_name):
        client.force_login(admin)
    response = client.get("/", HTTP_X_REQUEST_ID="req-500")

    assert response.status_code == 500 and response["X-Request-ID"] == "req-500"
    lines = log_lines.getvalue()
    tag = f"schema={organization.schema_name} request=req-500"
    assert f"WARNING shopfloor.selectors {tag} about to fail" in lines
    assert f"ERROR django.request {tag} Internal Server Error: /" in lines
    assert "RuntimeError: the dashboard broke" in lines


def test_django_request_errors_reach_the_stderr_handler_of_the_settings():
    stderr = [h for h in logging.getLogger().handlers
              if any(isinstance(f, RequestContextFilter) for f in h.filters)]
    assert len(stderr) == 1  # (its stream is pytest's capture here; the settings name sys.stderr)
    assert settings.LOGGING["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    django_logger = logging.getLogger("django.request")
    assert django_logger.isEnabledFor(logging.ERROR) and django_logger.propagate
    assert logging.getLogger("django").handlers == []  # no DEBUG-only console handler in front of it


# Celery


def test_a_failed_task_is_logged_with_its_name_id_schema_and_traceback(organization, caplog):
    with schema_context(organization.schema_name):
        result = explode_task.apply()
    assert result.failed()

    [record] = [r for r in caplog.records if r.name == "unison.task_failures"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == (f"Task tests.hardening.explode[{result.id}] failed in schema "
                                   f"{organization.schema_name}: RuntimeError('the press jammed')")
    assert record.exc_info[1] is result.result


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_a_failed_task_to_its_stderr_with_the_schema(
    make_organization, own_redis, broker, start_worker, tmp_path
):
    organization = make_organization(name="Failing Jobs")
    broker(own_redis.url)
    start_worker(own_redis.url)
    with schema_context(organization.schema_name):
        queued = notification_send_task.apply_async(args=["not-a-number"])  # a bad id makes the task fail

    line = f"Task notifications.send[{queued.id}] failed in schema {organization.schema_name}: ValueError"
    worker_log = tmp_path / "worker-0.log"
    eventually(lambda: line in worker_log.read_text(), seconds=60, what="the worker to log the failure")
    assert "Traceback (most recent call last)" in worker_log.read_text().split(line, 1)[1]
