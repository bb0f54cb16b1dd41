"""A trial length per deal, set by an operator in the console: in Stripe when Stripe runs the trial, else ours.

Real: the console's action page, billing's gateway, localstripe's subscriptions and checkout over HTTP,
signed webhooks into the live server (held back, then delivered twice and shuffled) and a Celery worker
applying them. Emulated by devstripe: checkout completion, trials (``trial_end`` moves the trial's period).
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from billing.selectors import moment
from devstripe.delivery import deliver
from platform_admin.models import AuditEntry
from subscriptions.models import Subscription, SubscriptionEvent
from tests.billing.conftest import settled, wait_for, webhook_url
from tests.billing.test_plan_change import _checkout, _paying
from tests.conftest import client_for
from tests.platform_admin.conftest import console_client, public_user

pytestmark = pytest.mark.stripe


@pytest.fixture
def operator_client(db):
    return console_client(public_user("deals@unison.test", is_staff=True, is_superuser=True))


def set_length(client, organization, days, reason="Enterprise evaluation, 30 days agreed"):
    url = reverse("admin:tenants_organization_trial_length", args=[organization.pk],
                  urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return client.post(url, {"days": days, "reason": reason})


def stripe_subscription(stripe_server, subscription) -> dict:
    return stripe_server.call("GET", f"/v1/subscriptions/{subscription.stripe_subscription_id}")


def test_a_stripe_trial_is_lengthened_in_stripe_and_late_shuffled_webhooks_leave_us_equal_to_it(
        held_webhooks, stripe_server, live_server, operator_client, organization, owner):
    url = webhook_url(live_server, held_webhooks)
    _checkout(client_for(organization, owner), stripe_server, {"tier": "starter", "billing_cycle": "monthly"})
    checkout_events = stripe_server.call("POST", "/_test/webhooks/take")["data"]
    for event in checkout_events:
        deliver(url, event, held_webhooks.secret)
    settled()
    ours = Subscription.objects.get(organization=organization)
    assert (ours.status, bool(ours.stripe_subscription_id)) == ("trialing", True)

    response = set_length(operator_client, organization, 40)

    assert response.status_code == 302, response.content.decode()[:2000]
    wanted = ours.trial_starts_at + timedelta(days=40)
    in_stripe = stripe_subscription(stripe_server, ours)
    assert (in_stripe["status"], in_stripe["trial_end"]) == ("trialing", int(wanted.timestamp()))
    ours.refresh_from_db()
    assert ours.trial_ends_at == moment(in_stripe["trial_end"])
    # Every event so far, the checkout's (with the old trial end) among them, twice and out of order.
    events = (checkout_events + stripe_server.call("POST", "/_test/webhooks/take")["data"]) * 2
    random.Random(18).shuffle(events)
    for event in events:
        assert deliver(url, event, held_webhooks.secret).status_code == 200
    settled()
    ours.refresh_from_db()
    in_stripe = stripe_subscription(stripe_server, ours)
    assert (ours.status, ours.trial_ends_at) == ("trialing", moment(in_stripe["trial_end"]))
    assert ours.current_period_end == moment(in_stripe["current_period_end"]) == ours.trial_ends_at
    entry = AuditEntry.objects.get(action="subscription_set_trial_length", organization_id=organization.pk)
    assert (entry.actor_email, entry.details["days"], entry.details["ledger"]) == ("deals@unison.test", 40, "stripe")
    assert SubscriptionEvent.objects.filter(subscription=ours, transition="set_trial_end").count() == 1


def test_a_trial_without_a_card_is_ours_and_checkout_then_keeps_its_end_in_stripe(
        webhooks, stripe_server, operator_client, organization, owner):
    assert set_length(operator_client, organization, 45).status_code == 302
    ours = Subscription.objects.get(organization=organization)
    assert ours.trial_ends_at == ours.trial_starts_at + timedelta(days=45)
    assert AuditEntry.objects.get(action="subscription_set_trial_length").details["ledger"] == "unison"

    stripe_id = _checkout(client_for(organization, owner), stripe_server, {"tier": "starter",
                                                                           "billing_cycle": "monthly"})

    in_stripe = stripe_server.call("GET", f"/v1/subscriptions/{stripe_id}")
    assert in_stripe["trial_end"] == int(ours.trial_ends_at.timestamp())
    ours = wait_for(lambda: Subscription.objects.filter(organization=organization, stripe_subscription_id=stripe_id)
                    .first(), what="the checkout to be mirrored")
    settled()
    ours.refresh_from_db()
    assert (ours.status, ours.trial_ends_at) == ("trialing", moment(in_stripe["trial_end"]))


def test_a_workspace_not_trialing_is_refused_and_nothing_changes(
        webhooks, stripe_server, operator_client, organization, owner):
    paying = _paying(organization, owner, stripe_server)
    before = stripe_subscription(stripe_server, paying)

    response = set_length(operator_client, organization, 30)

    assert response.status_code == 200
    assert "not trialing" in response.content.decode()
    assert stripe_subscription(stripe_server, paying)["current_period_end"] == before["current_period_end"]
    assert not AuditEntry.objects.filter(action="subscription_set_trial_length").exists()


@pytest.mark.parametrize(("days", "reason", "says"), [
    (0, "deal", "greater than or equal to 1"),
    (91, "deal", "less than or equal to 90"),
    (10, "deal", "would have ended already"),
    (30, "  ", "This field is required"),
])
def test_bad_input_is_named_on_the_form_and_changes_nothing(stripe_catalog, operator_client, organization,
                                                            days, reason, says):
    Subscription.objects.filter(organization=organization).update(
        trial_starts_at=organization.subscription.trial_starts_at - timedelta(days=11))
    before = Subscription.objects.get(organization=organization).trial_ends_at

    response = set_length(operator_client, organization, days, reason)

    assert response.status_code == 200 and says in response.content.decode()
    assert Subscription.objects.get(organization=organization).trial_ends_at == before
    assert not AuditEntry.objects.filter(action="subscription_set_trial_length").exists()


def test_a_member_of_staff_who_is_not_an_operator_cannot_open_it(stripe_catalog, organization):
    staff = console_client(public_user("staff-trial@unison.test", is_staff=True))

    response = set_length(staff, organization, 30)

    assert response.status_code in (302, 403)
    assert not AuditEntry.objects.filter(action="subscription_set_trial_length").exists()
