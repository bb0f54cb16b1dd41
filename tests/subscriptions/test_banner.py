"""The trial banner in the tenant shell: days left, colour by urgency, hidden for the day, read-only notice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from subscriptions.models import Status, Subscription
from tests.conftest import billed, client_for


def banner_of(response) -> str:
    found = re.search(r'<div class="banner [^"]*"[^>]*data-banner="[^"]*".*?</div>', response.content.decode(), re.S)
    return found.group(0) if found else ""


def page(client):
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response


def ends_in(organization, delta: timedelta) -> None:
    Subscription.objects.filter(organization=organization).update(trial_ends_at=timezone.now() + delta)


@pytest.mark.parametrize(
    ("left", "days", "css"),
    [
        (timedelta(days=14), 14, "banner-info"),
        (timedelta(days=7), 7, "banner-info"),
        (timedelta(days=6), 6, "banner-warn"),
        (timedelta(days=3), 3, "banner-warn"),
        (timedelta(days=2), 2, "banner-bad"),
        (timedelta(hours=5), 1, "banner-bad"),
    ],
)
def test_the_trial_banner_shows_days_left_in_the_colour_of_its_urgency(organization, owner, left, days, css):
    ends_in(organization, left)
    banner = banner_of(page(client_for(organization, owner)))
    assert f"banner {css}" in banner
    assert f"{days} day{'s' if days != 1 else ''} left in your Professional trial" in banner
    assert 'href="/billing/"' in banner and "Upgrade now" in banner


def test_hiding_the_banner_lasts_for_the_rest_of_the_day(organization, owner):
    client = client_for(organization, owner)
    with time_machine.travel(timezone.now().replace(hour=9), tick=False) as clock:
        response = client.post("/subscription/trial-banner/dismiss/", HTTP_HX_REQUEST="true")
        assert (response.status_code, response.content) == (200, b"")
        assert banner_of(page(client)) == ""
        clock.move_to(timezone.now().replace(hour=23, minute=59))
        assert banner_of(page(client)) == ""
        clock.move_to(timezone.now() + timedelta(minutes=2))  # tomorrow
        assert "left in your Professional trial" in banner_of(page(client))


def test_without_htmx_hiding_redirects_back_and_never_off_site(organization, owner):
    client = client_for(organization, owner)
    back = client.post("/subscription/trial-banner/dismiss/", {"next": "/billing/"})
    assert (back.status_code, back["Location"]) == (302, "/billing/")
    away = client.post("/subscription/trial-banner/dismiss/", {"next": "https://evil.example.com/"})
    assert away["Location"] == "/"


def test_hiding_needs_a_signed_in_user_and_a_post(organization, owner):
    assert client_for(organization).post("/subscription/trial-banner/dismiss/").status_code == 302  # to sign-in
    assert client_for(organization, owner).get("/subscription/trial-banner/dismiss/").status_code == 405


def test_hiding_in_one_organisation_does_not_hide_it_in_another(organization, owner, other_organization, outsider):
    client_for(organization, owner).post("/subscription/trial-banner/dismiss/", HTTP_HX_REQUEST="true")
    assert "left in your" in banner_of(page(client_for(other_organization, outsider)))


@pytest.mark.parametrize(
    ("status", "says"),
    [(Status.SUSPENDED, "Your subscription is suspended."), (Status.CANCELLED, "Your subscription has ended.")],
)
def test_a_read_only_workspace_says_so_and_links_to_billing(organization, owner, status, says):
    Subscription.objects.filter(organization=organization).update(status=status)
    banner = banner_of(page(client_for(organization, owner)))
    assert "banner-bad" in banner and says in banner and "changes are paused" in banner
    assert 'href="/billing/"' in banner


def test_a_trial_past_its_end_shows_the_read_only_notice_even_if_hidden(organization, owner):
    client = client_for(organization, owner)
    client.post("/subscription/trial-banner/dismiss/", HTTP_HX_REQUEST="true")
    ends_in(organization, timedelta(seconds=-1))
    assert "Your trial has ended." in banner_of(page(client))


def test_a_paying_organisation_sees_no_banner(organization, owner):
    Subscription.objects.filter(organization=organization).update(status=Status.ACTIVE)
    assert banner_of(page(client_for(organization, owner))) == ""


def test_a_trial_stripe_runs_says_the_card_on_file_is_billed_at_its_end(organization, owner):
    billed(organization, tier="starter", status=Status.TRIALING, trial_end=timezone.now() + timedelta(days=9))

    banner = banner_of(page(client_for(organization, owner)))

    assert "9 days left in your trial; then Stripe bills Starter to your card on file." in banner
    assert "Upgrade now" not in banner and "banner-info" in banner


def test_an_operators_hold_says_so_whatever_stripe_bills(organization, owner):
    from subscriptions.services import subscription_hold

    billed(organization)
    subscription_hold(subscription=organization.subscription, reason="Abuse report", actor="ops")

    banner = banner_of(page(client_for(organization, owner)))

    assert "An operator has suspended this workspace" in banner and 'data-banner="read-only"' in banner
