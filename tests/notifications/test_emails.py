"""The e-mails themselves: every kind in text and HTML, and EMAIL_URL choosing the backend."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.conf import settings

from notifications.emails import KINDS, message_build
from unison.templatetags.dates import day

EXAMPLES = {
    "welcome": ({"trial_ends_at": "2026-12-12T10:00:00+00:00"}, "trial of Unison", "12 Dec 2026"),
    "trial_ending": ({"days_left": 3, "trial_ends_at": "2026-12-12T10:00:00+00:00"}, "3 days", "Choose a plan"),
    "trial_ended": ({"trial_ends_at": "2026-12-12T10:00:00+00:00"}, "now read-only", "export"),
    "payment_succeeded": ({"invoice_id": "in_1", "amount_cents": 52920}, "$529.20", "received your payment"),
    "payment_failed": ({"attempt_count": 1, "invoice_id": "in_2"}, "attempt 1 of 3", "third failed attempt the workspace"),
    "usage_alert": ({"limit": "users", "threshold": 90, "used": "23", "allowed": "25"}, "90%", "23 of 25"),
    "subscription_cancelled": ({}, "has been cancelled", "export your data"),
    "trial_extension_approved": ({"days": 5, "days_requested": 10, "trial_ends_at": "2026-12-19T10:00:00+00:00"},
                                 "you asked for 10", "19 Dec 2026"),
    "trial_extension_declined": ({"days_requested": 10, "note": "Please choose a plan."}, "the 10 days you asked for",
                                 "Please choose a plan."),
    "deletion_requested": ({"due_at": "2027-01-02T10:00:00+00:00"}, "deleted for good on 2 Jan 2027",
                           "undo the deletion"),
    "deletion_reminder": ({"due_at": "2027-01-02T10:00:00+00:00"}, "A reminder", "2 Jan 2027"),
}


def test_every_kind_has_an_example_here():
    assert set(EXAMPLES) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_renders_plain_text_and_html_for_the_organization(organization, kind):
    context, first, second = EXAMPLES[kind]
    message = message_build(kind=kind, organization=organization, context=context, recipients=["o@example.com"])
    html = message.alternatives[0][0]
    assert message.subject and "{" not in message.subject
    for text in (message.body, html):
        assert first in text and second in text
        assert "Acme Works" in text and organization.url in text
    assert "<p" not in message.body and "<p" in html
    assert message.to == ["o@example.com"] and message.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.parametrize(
    ("context", "subject", "says"),
    [
        ({"attempt_count": 1}, "Payment failed (attempt 1 of 3)", "attempt 1 of 3"),
        ({"attempt_count": 2}, "Payment failed (attempt 2 of 3)", "attempt 2 of 3"),
        ({"attempt_count": 3, "suspended": True}, "Payment failed again: your Unison workspace is suspended", "now suspended"),
    ],
)
def test_a_failed_payment_says_which_attempt_and_that_the_third_suspends(organization, context, subject, says):
    message = message_build(kind="payment_failed", organization=organization, context=context, recipients=["o@x.io"])
    assert message.subject == subject
    assert says in message.body
    assert ("now suspended" in message.body) is (context["attempt_count"] == 3)


def test_a_stripe_trial_warning_with_a_card_on_file_says_the_card_will_be_charged(organization):
    ends = int(datetime(2026, 12, 12, tzinfo=UTC).timestamp())
    context = {"trial_end": ends, "card_on_file": True}
    message = message_build(kind="trial_ending", organization=organization, context=context, recipients=["o@x.io"])
    assert message.subject == "Your Unison trial ends soon"
    assert "12 Dec 2026" in message.body and "card on file will be charged" in message.body


def test_plain_text_is_not_html_escaped(make_organization):
    organization = make_organization(name="Smith & Sons")
    message = message_build(kind="welcome", organization=organization, context={}, recipients=["o@x.io"])
    assert "Smith & Sons" in message.body
    assert "Smith &amp; Sons" in message.alternatives[0][0]


def _settings_with(email_url: str) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings as s; " \
        "print(s.EMAIL_BACKEND); print(sorted(getattr(s, 'ANYMAIL', {}).items()))"
    env = {**os.environ, "EMAIL_URL": email_url, "DJANGO_SETTINGS_MODULE": "unison.settings.base"}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_email_url_picks_smtp_files_or_an_esp_through_anymail():
    smtp = _settings_with("smtp+tls://mailer:secret@smtp.example.com:587")
    assert smtp.stdout.splitlines()[0] == "django.core.mail.backends.smtp.EmailBackend"
    files = _settings_with("filemail:///tmp/unison-mail")
    assert files.stdout.splitlines()[0] == "django.core.mail.backends.filebased.EmailBackend"
    esp = _settings_with("anymail+mailgun://key-123@?sender_domain=mg.example.com")
    assert esp.stdout.splitlines() == [
        "anymail.backends.mailgun.EmailBackend",
        "[('MAILGUN_API_KEY', 'key-123'), ('MAILGUN_SENDER_DOMAIN', 'mg.example.com')]",
    ]


def test_an_unknown_esp_in_email_url_stops_the_start_with_a_clear_error():
    result = _settings_with("anymail+pigeonpost://key@")
    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_URL names an unknown django-anymail ESP 'pigeonpost'" in result.stderr


def test_e_mails_write_dates_in_the_one_format_the_pages_use(organization):
    moment = datetime(2026, 12, 12, 10, tzinfo=UTC)
    context = {"trial_ends_at": moment.isoformat()}
    message = message_build(kind="welcome", organization=organization, context=context, recipients=["o@x.io"])
    assert day(moment) == "12 Dec 2026"
    assert f"Your trial runs until {day(moment)}." in message.body
    assert f"<strong>{day(moment)}</strong>" in message.alternatives[0][0]
