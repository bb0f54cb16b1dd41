"""notify(): the log row, the once-only key, the owners as recipients, and the outbox on failure."""

from __future__ import annotations

import socket

import pytest
from django.core import mail
from django.test import override_settings

from notifications.models import NotificationLog, NotificationStatus
from notifications.services import notifications_resend, notify
from tests.conftest import tenant_user


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_notice_goes_to_the_owners_once_the_transaction_commits(
    organization, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        log_id = notify(organization=organization, kind="trial_ending", occasion="7d:2026-12-12", context={"days_left": 7})
        assert mail.outbox == []  # nothing leaves before commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "Your Unison trial ends in 7 days"
    assert "ends in 7 days" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<strong>7 days</strong>" in html
    log = NotificationLog.objects.get(pk=log_id)
    assert log.status == NotificationStatus.SENT and log.sent_at is not None
    assert log.recipients == [owner.email] and log.subject == message.subject


def test_the_same_occasion_is_recorded_and_sent_only_once(organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(organization=organization, kind="trial_ended", occasion="2026-12-12")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = notify(organization=organization, kind="trial_ended", occasion="2026-12-12")
    assert first is not None and second is None
    assert callbacks == []
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.filter(organization=organization, kind="trial_ended").count() == 1


def test_every_owner_receives_it_but_not_members_or_inactive_owners(
    organization, owner, teammate, django_capture_on_commit_callbacks
):
    second_owner = tenant_user(organization, role="owner", email=f"boss@{organization.slug}.example.com")
    retired = tenant_user(organization, role="owner", email=f"gone@{organization.slug}.example.com")
    from django_tenants.utils import schema_context

    with schema_context(organization.schema_name):
        retired.is_active = False
        retired.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(organization=organization, kind="welcome", occasion="trial")
    assert sorted(mail.outbox[0].to) == sorted([owner.email, second_owner.email])
    assert teammate.email not in mail.outbox[0].to


def test_a_notice_for_one_organization_never_reaches_another(
    organization, owner, other_organization, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(organization=organization, kind="usage_alert", occasion="users:80:2026-11")
        notify(organization=other_organization, kind="usage_alert", occasion="users:80:2026-11")
    recipients = [message.to for message in mail.outbox]
    assert recipients == [[owner.email], [outsider.email]]
    assert "Acme Works" in mail.outbox[0].body and "Other Industries" not in mail.outbox[0].body


def test_an_unknown_kind_is_refused_and_nothing_is_recorded(organization):
    with pytest.raises(ValueError, match="Unknown notice kind 'birthday'"):
        notify(organization=organization, kind="birthday", occasion="today")
    assert not NotificationLog.objects.filter(organization=organization, kind="birthday").exists()


def test_an_overlong_occasion_is_refused_rather_than_cut(organization):
    with pytest.raises(ValueError, match="occasion must be at most 120 characters, not 121"):
        notify(organization=organization, kind="trial_ended", occasion="x" * 121)
    assert not NotificationLog.objects.filter(organization=organization, kind="trial_ended").exists()
    assert notify(organization=organization, kind="trial_ended", occasion="x" * 120) is not None


def test_a_mail_server_failure_is_logged_and_the_notice_is_sent_on_the_next_sweep(
    organization, owner, django_capture_on_commit_callbacks
):
    smtp_down = dict(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_closed_port(),
        EMAIL_TIMEOUT=1,
    )
    with override_settings(**smtp_down), django_capture_on_commit_callbacks(execute=True):
        log_id = notify(organization=organization, kind="payment_succeeded", occasion="in_1", context={"amount_cents": 19900})
    log = NotificationLog.objects.get(pk=log_id)
    assert log.status == NotificationStatus.FAILED and log.attempts == 1
    assert "ConnectionRefusedError" in log.error

    notifications_resend(older_than_seconds=0, directly=True)
    log.refresh_from_db()
    assert log.status == NotificationStatus.SENT and log.attempts == 2 and log.error == ""
    [payment_mail] = [m for m in mail.outbox if m.subject == "Payment received, thank you"]
    assert "$199" in payment_mail.body
    assert notifications_resend(older_than_seconds=0, directly=True) == 0
