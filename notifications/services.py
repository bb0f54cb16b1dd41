"""Send notices to an organisation's owners, each (organisation, kind, occasion) at most once.

Minimal first version: sends after commit, without the dedupe log yet.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import transaction

KINDS = (
    "welcome",
    "trial_ending",
    "trial_ended",
    "payment_succeeded",
    "payment_failed",
    "usage_alert",
    "subscription_cancelled",
)


def notify(*, organization, kind: str, occasion: str, context: dict | None = None) -> None:
    """Queue the notice ``kind`` for ``occasion`` to go out once the current transaction commits."""
    if kind not in KINDS:
        raise ValueError(f"Unknown notice kind {kind!r}")
    transaction.on_commit(
        lambda: send_mail(f"Unison: {kind.replace('_', ' ')}", str(context or {}), None, [organization.email])
    )
