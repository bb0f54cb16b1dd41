"""Storage overage billed by use, against the local Stripe: opt in, the sweep reports, the renewal bills it.

Real: the billing API and page, billing's gateway, localstripe's subscriptions, invoices and payments over
HTTP, signed webhooks into the live server and a Celery worker applying them, files on disk (sparse: their
size counts, no disk is filled). Emulated by devstripe: billing meters, meter events (one per identifier)
and metered prices billed at renewal (devstripe/metering.py), checkout completion and renewal on demand.
"""

from __future__ import annotations

import random

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django_tenants.utils import schema_context

from billing.models import StorageOverageReport
from devstripe.delivery import deliver
from subscriptions import catalog, tasks
from subscriptions.limits import limit_check
from subscriptions.models import Subscription, SubscriptionEvent
from tests.billing.conftest import settled, wait_for, webhook_url
from tests.billing.test_plan_change import _paying
from tests.conftest import client_for, tenant_user
from tests.media import tenant_media_root

pytestmark = pytest.mark.stripe
URL = "/api/v1/billing/storage-overage"
GB = catalog.GB


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def store(organization, gigabytes: float) -> None:
    """Make the workspace's files add up to ``gigabytes`` (one sparse file)."""
    folder = tenant_media_root(organization) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "scans.bin", "wb") as handle:
        handle.truncate(int(gigabytes * GB))


def opt(client, enabled):
    return client.post(URL, {"enabled": enabled}, content_type="application/json")


def meter_values(stripe_server, subscription) -> list[str]:
    events = stripe_server.call("GET", f"/_test/meter_events?customer={subscription.stripe_customer_id}")["data"]
    return [event["payload"]["value"] for event in events]


def sweep() -> None:
    tasks.track_usage_task()  # the beat's usage sweep: measure, then report overage to Stripe


@pytest.fixture
def paying(webhooks, stripe_server, organization, owner, media):
    """A Starter workspace (10 GB) that Stripe bills monthly and has been paid."""
    return _paying(organization, owner, stripe_server)


def test_the_sweep_reports_the_periods_peak_once_and_the_renewal_invoice_bills_it(
        paying, organization, owner, stripe_server):
    client = client_for(organization, owner)
    store(organization, 12.5)
    assert not limit_check(organization, "upload", nbytes=1).allowed

    response = opt(client, True)

    assert response.status_code == 200, response.content
    assert (response.json()["enabled"], response.json()["active"]) == (True, True)
    subscription = Subscription.objects.get(pk=paying.pk)
    items = stripe_server.call("GET", f"/v1/subscriptions/{subscription.stripe_subscription_id}")["items"]["data"]
    metered = [i for i in items if i["price"]["lookup_key"] == catalog.STORAGE_OVERAGE.lookup_key]
    assert [i["id"] for i in metered] == [subscription.storage_overage_item_id]
    assert metered[0]["price"]["recurring"]["usage_type"] == "metered"
    assert subscription.mrr_cents == catalog.tier("starter").monthly_cents  # usage is not recurring revenue
    event = SubscriptionEvent.objects.get(subscription=subscription, transition="storage_overage_on")
    assert event.actor == owner.email
    assert limit_check(organization, "upload", nbytes=5 * GB).allowed

    sweep()
    sweep()  # a second run in the same period
    assert meter_values(stripe_server, subscription) == ["3"]  # 12.5 GB over 10 GB: 3 whole GB
    # A retry after a crash between Stripe's answer and our commit sends the same identifier: counted once.
    StorageOverageReport.objects.filter(subscription=subscription).update(reported_gb=0)
    sweep()
    assert meter_values(stripe_server, subscription) == ["3"]
    store(organization, 11)  # less now: the period's peak stands
    sweep()
    store(organization, 13.2)
    sweep()
    assert meter_values(stripe_server, subscription) == ["3", "4"]
    overage = client.get(URL).json()
    assert (overage["gb_over_now"], overage["peak_gb"], overage["accrued_cents"]) == (4, 4, 4 * 50)

    invoice = stripe_server.call("POST", f"/_test/subscriptions/{subscription.stripe_subscription_id}/renew")

    lines = {line["description"]: line["amount"] for line in invoice["lines"]["data"]}
    assert lines["Storage overage (per GB-month) × 4"] == 4 * catalog.ADD_ONS["extra_storage"].monthly_cents_per_unit
    assert invoice["total"] == catalog.tier("starter").monthly_cents + 200
    assert invoice["status"] == "paid"
    # The next period starts from nothing.
    wait_for(lambda: Subscription.objects.get(pk=subscription.pk).current_period_start
             != subscription.current_period_start, what="the renewal to be mirrored")
    settled()
    assert client.get(URL).json()["peak_gb"] == 0


def test_opting_out_restores_the_hard_limit_and_stops_reporting(paying, organization, owner, stripe_server):
    client = client_for(organization, owner)
    store(organization, 10.5)
    assert opt(client, True).status_code == 200
    sweep()

    response = opt(client, False)

    assert response.status_code == 200 and response.json()["active"] is False
    check = limit_check(organization, "upload", nbytes=1)
    assert not check.allowed and "storage limit" in check.message
    store(organization, 15)
    sweep()
    subscription = Subscription.objects.get(pk=paying.pk)
    assert meter_values(stripe_server, subscription) == ["1"]  # what was accrued stays, nothing more
    assert SubscriptionEvent.objects.filter(subscription=subscription, transition="storage_overage_off").count() == 1
    assert opt(client, False).status_code == 200  # again: nothing more happens
    assert SubscriptionEvent.objects.filter(subscription=subscription, transition="storage_overage_off").count() == 1


def test_a_trial_cannot_opt_in_paid_access_follows_payment(stripe_catalog, organization, owner, media):
    client = client_for(organization, owner)

    response = opt(client, True)

    assert response.status_code == 402
    assert response.json()["code"] == "storage_overage_unavailable" and response.json()["enabled"]
    assert "once your plan is paid" in response.json()["detail"]
    subscription = Subscription.objects.get(organization=organization)
    assert (subscription.storage_overage_enabled, subscription.storage_overage_item_id) == (False, "")
    assert client.get(URL).json()["available"] is False


def test_a_member_can_read_it_but_not_turn_it_on(paying, organization, stripe_server):
    member = client_for(organization, tenant_user(organization, role="member"))

    assert member.get(URL).status_code == 200
    response = opt(member, True)

    assert response.status_code == 403
    assert member.post("/billing/storage-overage/", {"enabled": "true"}).status_code == 403
    assert Subscription.objects.get(pk=paying.pk).storage_overage_enabled is False


def test_another_workspace_cannot_read_or_change_it(other_organization, outsider, paying, organization):
    from tests.conftest import PASSWORD

    token = client_for(other_organization).post("/api/v1/auth/token", {"email": outsider.email, "password": PASSWORD},
                                                content_type="application/json").json()["access"]
    intruder = client_for(organization)
    for response in (intruder.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}"),
                     intruder.post(URL, {"enabled": True}, content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {token}")):
        assert response.status_code in (401, 403)
    own_session = client_for(organization)
    with schema_context(other_organization.schema_name):
        own_session.force_login(outsider)
    assert opt(own_session, True).status_code in (401, 403)
    assert Subscription.objects.get(pk=paying.pk).storage_overage_enabled is False


def test_bad_input_is_a_400_naming_the_field(paying, organization, owner):
    client = client_for(organization, owner)

    assert opt(client, "maybe").json()["enabled"]
    assert client.post(URL, {"enabeld": True}, content_type="application/json").json()["enabeld"] == ["Unknown field."]
    page = client.post("/billing/storage-overage/", {"enabled": "maybe"}, follow=True)
    assert "either true or false" in page.content.decode()
    assert Subscription.objects.get(pk=paying.pk).storage_overage_enabled is False


def test_its_webhooks_twice_and_shuffled_leave_our_state_equal_to_stripes(
        held_webhooks, stripe_server, live_server, organization, owner, media):
    url = webhook_url(live_server, held_webhooks)
    stripe_server.call("POST", "/_test/webhooks/hold", on="false")
    subscription = _paying(organization, owner, stripe_server)
    stripe_server.call("POST", "/_test/webhooks/hold", on="true")
    stripe_server.call("POST", "/_test/webhooks/take")

    assert opt(client_for(organization, owner), True).status_code == 200
    events = stripe_server.call("POST", "/_test/webhooks/take")["data"]
    assert events
    shuffled = events * 2
    random.Random(19).shuffle(shuffled)
    for event in shuffled:
        assert deliver(url, event, held_webhooks.secret).status_code == 200
    settled()

    ours = Subscription.objects.get(pk=subscription.pk)
    stripe_items = stripe_server.call("GET", f"/v1/subscriptions/{ours.stripe_subscription_id}")["items"]["data"]
    metered = [i["id"] for i in stripe_items if i["price"]["lookup_key"] == catalog.STORAGE_OVERAGE.lookup_key]
    assert metered == [ours.storage_overage_item_id]
    assert (ours.status, ours.tier, ours.storage_overage_enabled) == ("active", "starter", True)
    assert SubscriptionEvent.objects.filter(subscription=ours, transition="storage_overage_on").count() == 1


def test_the_partial_shows_what_accrues_for_whoever_reads_it(paying, organization, owner, stripe_server):
    client = client_for(organization, owner)
    store(organization, 11.2)
    opt(client, True)
    sweep()
    member = tenant_user(organization, role="member")

    html = {}
    for user in (owner, member):
        request = RequestFactory().get("/billing/", HTTP_HOST=organization.host)
        request.tenant, request.user = organization, user
        with schema_context(organization.schema_name):
            html[user.role] = render_to_string("billing/_storage_overage.html", request=request)

    assert 'data-testid="overage-state">On' in html["owner"]
    assert "$0.50 per GB-month" in html["owner"] and "Turn off storage overage" in html["owner"]
    assert 'data-testid="overage-accrued">$1' in html["owner"]  # 2 GB over: 2 × $0.50
    assert "Only owners and admins can change this." in html["member"] and "<form" not in html["member"]
