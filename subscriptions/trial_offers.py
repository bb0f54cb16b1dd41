"""Signed trial offers for campaign signup links: ``/signup/?offer=<token>`` gives a longer trial.

A token is ``django.core.signing`` over {"d": days, "c": campaign} with its own salt and a time stamp;
it is honoured for ``OFFER_MAX_AGE`` after it was made, for 1 to ``catalog.MAX_TRIAL_OFFER_DAYS`` days.
A tampered, expired or out-of-range token falls back to the standard trial, with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError

from subscriptions import catalog

SALT = "unison.subscriptions.trial-offer"
OFFER_MAX_AGE = timedelta(days=90)


@dataclass(frozen=True)
class TrialOffer:
    days: int
    campaign: str = ""
    note: str = ""  # why an offer in the link was not honoured ("" when it was, or when there was none)

    @property
    def offered(self) -> bool:
        return self.days != catalog.TRIAL_DAYS or bool(self.campaign)


STANDARD = TrialOffer(catalog.TRIAL_DAYS)


def trial_offer_token(*, days: int, campaign: str = "") -> str:
    """Return a signed token offering a ``days``-day trial; ValidationError (``days``) out of range."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= catalog.MAX_TRIAL_OFFER_DAYS:
        raise ValidationError({"days": [f"Offer from 1 to {catalog.MAX_TRIAL_OFFER_DAYS} days."]})
    return signing.dumps({"d": days, "c": campaign[:40]}, salt=SALT, compress=True)


def trial_offer_read(token: str) -> TrialOffer:
    """Return the trial a signup with this token gets: the offer if it is genuine and current, else standard."""
    if not token:
        return STANDARD
    standard = f"your trial is the standard {catalog.TRIAL_DAYS} days"
    try:
        data = signing.loads(token, salt=SALT, max_age=OFFER_MAX_AGE)
    except signing.SignatureExpired:
        return TrialOffer(catalog.TRIAL_DAYS, note=f"This trial offer has expired: {standard}.")
    except signing.BadSignature:
        return TrialOffer(catalog.TRIAL_DAYS, note=f"This trial offer link is not valid: {standard}.")
    days = data.get("d") if isinstance(data, dict) else None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= catalog.MAX_TRIAL_OFFER_DAYS:
        return TrialOffer(catalog.TRIAL_DAYS, note=f"This trial offer link is not valid: {standard}.")
    return TrialOffer(days, campaign=str(data.get("c") or ""))
