"""Signed trial offers on signup links: a genuine one gives its days; tampered, expired or too long, 14 days."""

from __future__ import annotations

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from subscriptions import catalog
from subscriptions.models import Subscription, SubscriptionEvent
from subscriptions.services import subscription_start_trial
from subscriptions.trial_offers import OFFER_MAX_AGE, SALT, trial_offer_read, trial_offer_token
from tenants.models import Organization
from tests.marketing.test_signup import form_data


def test_a_genuine_offer_gives_its_days_and_campaign():
    offer = trial_offer_read(trial_offer_token(days=30, campaign="spring-fair"))

    assert (offer.days, offer.campaign, offer.note, offer.offered) == (30, "spring-fair", "", True)


@pytest.mark.parametrize("days", [0, 61, -5, True, "30"])
def test_an_offer_out_of_range_cannot_be_made(days):
    with pytest.raises(ValidationError):
        trial_offer_token(days=days)


def test_a_tampered_offer_falls_back_to_the_standard_trial_and_says_so():
    token = trial_offer_token(days=30)
    forged = signing.dumps({"d": 60}, salt="another-salt", compress=True)

    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), forged, "nonsense"):
        offer = trial_offer_read(bad)
        assert (offer.days, offer.note) == (14, "This trial offer link is not valid: your trial is the standard 14 days.")


def test_a_signed_offer_beyond_the_bound_is_not_honoured():
    too_long = signing.dumps({"d": catalog.MAX_TRIAL_OFFER_DAYS + 1}, salt=SALT, compress=True)

    assert trial_offer_read(too_long).days == catalog.TRIAL_DAYS
    assert "not valid" in trial_offer_read(too_long).note


def test_an_expired_offer_falls_back_with_its_own_note(monkeypatch):
    made_at = time.time() - OFFER_MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: made_at)
    token = trial_offer_token(days=30)
    monkeypatch.undo()

    offer = trial_offer_read(token)

    assert (offer.days, offer.note) == (14, "This trial offer has expired: your trial is the standard 14 days.")


def test_the_signup_page_honours_an_offer(db, public_client):
    token = trial_offer_token(days=30, campaign="fair")
    page = public_client.get(f"/signup/?offer={token}").content.decode()
    assert "Your link gives you a 30-day trial." in page and "30 days of Professional, free" in page

    data = form_data()
    response = public_client.post(f"/signup/?offer={token}", data)

    assert response.status_code == 302
    subscription = Subscription.objects.get(organization__slug=data["subdomain"])
    assert subscription.trial_ends_at - subscription.trial_starts_at == timedelta(days=30)
    event = SubscriptionEvent.objects.get(subscription=subscription, transition="start_trial")
    assert event.details == {"tier": "professional", "days": 30, "offer": "fair"}


def test_the_signup_page_says_a_tampered_offer_gives_the_standard_trial(db, public_client):
    page = public_client.get("/signup/?offer=abc.def").content.decode()
    assert "This trial offer link is not valid: your trial is the standard 14 days." in page

    data = form_data()
    assert public_client.post("/signup/?offer=abc.def", data).status_code == 302
    subscription = Subscription.objects.get(organization__slug=data["subdomain"])
    assert subscription.trial_ends_at - subscription.trial_starts_at == timedelta(days=14)


def test_a_trial_cannot_start_longer_than_an_offer_allows(db):
    with pytest.raises(ValidationError):
        subscription_start_trial(organization=Organization(pk=0), days=catalog.MAX_TRIAL_OFFER_DAYS + 1)


def test_the_command_prints_a_signup_link_and_refuses_a_bad_length():
    out = StringIO()
    call_command("trial_offer_link", "--days", "21", "--campaign", "expo", stdout=out)
    link = out.getvalue().splitlines()[0]
    assert "/signup/?offer=" in link
    assert trial_offer_read(link.split("offer=", 1)[1]).days == 21

    with pytest.raises(CommandError, match="from 1 to 60"):
        call_command("trial_offer_link", "--days", "61", stdout=StringIO())
