"""Celery tasks for the subscription lifecycle: thin wrappers over subscriptions.lifecycle."""

from __future__ import annotations

from django.db import connection

from subscriptions import lifecycle
from subscriptions.billing_provider import billing_provider
from subscriptions.usage import usage_record
from unison.celery import app


@app.task(name="subscriptions.track_usage")
def track_usage_task() -> int:
    """Measure every organisation's usage, report storage overage to billing, then queue the usage alerts."""
    snapshots = lifecycle.usage_track_all()
    if snapshots is None:
        return 0  # another run is measuring right now
    billing_provider().usage_report(snapshots=snapshots)
    usage_alerts_task.delay()
    return len(snapshots)


@app.task(name="subscriptions.track_usage_for_tenant")
def track_usage_for_tenant_task() -> int:
    """Measure the organisation whose schema the task was queued in; return the snapshot's id."""
    organization = lifecycle.organizations_to_measure().filter(schema_name=connection.schema_name).first()
    if organization is None:
        raise ValueError("Queue this task inside an organisation's schema (schema_context).")
    return usage_record(organization).pk


@app.task(name="subscriptions.usage_alerts")
def usage_alerts_task() -> int:
    """Send usage alerts at 80, 90 and 100 % of a limit (once a month each)."""
    return lifecycle.usage_alerts_send()


@app.task(name="subscriptions.expire_trials")
def expire_trials_task() -> int:
    """Suspend unpaid trials past their end."""
    return lifecycle.trials_expire()


@app.task(name="subscriptions.warn_trials")
def warn_trials_task() -> int:
    """Warn owners 7, 3 and 1 days before their trial ends."""
    return lifecycle.trial_warnings_send()
