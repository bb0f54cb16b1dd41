"""The outbox sweep: notices the broker never took are sent later, once, by beat or by hand."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import NotificationLog
from notifications.selectors import MAX_ATTEMPTS, notifications_waiting
from notifications.services import notify


def test_a_notice_younger_than_a_minute_is_left_to_its_own_job(organization):
    log_id = notify(organization=organization, kind="trial_ended", occasion="2026-12-12")
    assert not notifications_waiting().filter(pk=log_id).exists()
    assert notifications_waiting(older_than_seconds=0).filter(pk=log_id).exists()


def test_the_command_sends_what_waits_with_progress_and_a_summary(organization, owner, time_machine):
    log_id = notify(organization=organization, kind="trial_ended", occasion="2026-12-12")  # never committed here
    time_machine.move_to(timezone.now() + timedelta(minutes=2), tick=False)
    out = StringIO()
    call_command("send_queued_notifications", stdout=out)
    lines = out.getvalue().splitlines()
    assert f"{organization.slug} trial_ended 2026-12-12" in "\n".join(lines)
    assert lines[0].startswith("[1/") and lines[-1].startswith("done: ") and lines[-1].endswith(" 0 still waiting")
    assert NotificationLog.objects.get(pk=log_id).status == "sent"
    assert [m.subject for m in mail.outbox if m.to == [owner.email]].count("Your Unison trial has ended") == 1

    call_command("send_queued_notifications", stdout=StringIO())  # a second run sends nothing again
    assert [m.subject for m in mail.outbox].count("Your Unison trial has ended") == 1


def test_a_notice_that_failed_too_often_stops_being_retried(organization):
    log_id = notify(organization=organization, kind="trial_ended", occasion="2026-12-12")
    NotificationLog.objects.filter(pk=log_id).update(status="failed", attempts=MAX_ATTEMPTS)
    assert not notifications_waiting(older_than_seconds=0).filter(pk=log_id).exists()
    NotificationLog.objects.filter(pk=log_id).update(attempts=MAX_ATTEMPTS - 1)
    assert notifications_waiting(older_than_seconds=0).filter(pk=log_id).exists()
