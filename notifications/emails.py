"""Build the e-mail of a notice: subject, plain text and HTML from ``templates/emails/<kind>``.

Context keys each kind understands (all optional; templates leave out what is missing):

- ``welcome``: ``trial_days``, ``trial_ends_at``, ``tier``
- ``trial_ending``: ``days_left`` (7, 3 or 1), ``trial_ends_at`` (or Stripe's ``trial_end`` timestamp),
  ``card_on_file``
- ``trial_ended``: ``trial_ends_at``
- ``payment_succeeded``: ``invoice_id``, ``amount_cents``, ``invoice_url``, ``period_end_at``
- ``payment_failed``: ``attempt_count`` (1, 2 or 3; the 3rd suspends), ``suspended``, ``invoice_id``,
  ``amount_cents``, ``next_attempt_at``
- ``usage_alert``: ``limit`` (users, plants or storage), ``threshold`` (80, 90, 100), ``used``, ``allowed``
- ``subscription_cancelled``: ``ends_at``
- ``trial_extension_approved``: ``days`` (granted), ``days_requested``, ``trial_ends_at`` (the new end)
- ``trial_extension_declined``: ``days_requested``, ``note`` (the operator's, may be empty)
- ``deletion_requested``, ``deletion_reminder``: ``due_at`` (when the workspace is deleted for good)

Every template also gets ``organization``, ``workspace_url``, ``billing_url`` and ``look`` (the
workspace's white labelling, ``notifications.look``: sender name, logo, accent colour).

Notices to an address rather than to an organisation's owners (``ADDRESS_SUBJECTS``, built by
``address_message_build``, always in Unison's own look):

- ``workspace_list``: ``email``, ``workspaces`` (organisations, maybe none), ``find_url``, ``signup_url``
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.mail import EmailMultiAlternatives
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime

from notifications.look import UNISON, EmailLook, email_look

SUBJECTS = {
    "welcome": "Welcome to Unison: your free trial has started",
    "trial_ending": (
        "{% if days_left %}Your Unison trial ends in {{ days_left }} day{{ days_left|pluralize }}"
        "{% else %}Your Unison trial ends soon{% endif %}"
    ),
    "trial_ended": "Your Unison trial has ended",
    "payment_succeeded": "Payment received, thank you",
    "payment_failed": (
        "{% if suspended or attempt_count >= 3 %}Payment failed again: your Unison workspace is suspended"
        "{% elif attempt_count %}Payment failed (attempt {{ attempt_count }} of 3){% else %}Payment failed{% endif %}"
    ),
    "usage_alert": "You have used {{ threshold }}% of your {{ limit }} limit",
    "subscription_cancelled": "Your Unison subscription has been cancelled",
    "trial_extension_approved": "Your Unison trial is {{ days }} day{{ days|pluralize }} longer",
    "trial_extension_declined": "Your request for more trial days",
    "deletion_requested": "{% load dates %}Your Unison workspace will be deleted on {{ due_at|day }}",
    "deletion_reminder": "{% load dates %}Reminder: your Unison workspace will be deleted on {{ due_at|day }}",
}
KINDS = tuple(SUBJECTS)
ADDRESS_SUBJECTS = {"workspace_list": "Your Unison workspaces"}


def _restore_dates(context: dict) -> dict:
    """Turn the ISO strings stored for ``*_at`` keys (and Stripe's ``trial_end``) into datetimes."""
    restored = dict(context)
    for key, value in context.items():
        if key.endswith("_at") and isinstance(value, str):
            restored[key] = parse_datetime(value) or value
    if isinstance(context.get("trial_end"), int) and "trial_ends_at" not in context:
        restored["trial_ends_at"] = datetime.fromtimestamp(context["trial_end"], tz=UTC)
    return restored


def message_build(*, kind: str, organization, context: dict, recipients: list[str]) -> EmailMultiAlternatives:
    """Return the ready-to-send e-mail (text with an HTML alternative) of a notice, in the workspace's look."""
    look = email_look(organization)
    values = {
        **_restore_dates(context),
        "organization": organization,
        "workspace_url": organization.url,
        "billing_url": f"{organization.url}billing/",
        "look": look,
    }
    return _message(SUBJECTS[kind], kind, values, recipients, look)


def address_message_build(*, kind: str, context: dict, recipient: str) -> EmailMultiAlternatives:
    """Return the ready-to-send e-mail of a notice to one address, in Unison's own look."""
    return _message(ADDRESS_SUBJECTS[kind], kind, {**context, "look": UNISON}, [recipient], UNISON)


def _message(subject: str, kind: str, values: dict, recipients: list[str], look: EmailLook) -> EmailMultiAlternatives:
    subject = Engine.get_default().from_string(subject).render(Context(values, autoescape=False))
    text = render_to_string(f"emails/{kind}.txt", values)
    html = render_to_string(f"emails/{kind}.html", values)
    message = EmailMultiAlternatives(subject.strip(), text, look.from_email(), recipients)
    message.attach_alternative(html, "text/html")
    return message
