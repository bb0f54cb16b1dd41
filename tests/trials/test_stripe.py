"""An approved request extends a trial Stripe runs (card on file) in Stripe, the ledger of record, and
our mirror ends equal to it after the webhooks arrive doubled, reversed and mixed with old ones.
An approval that reaches a trial Stripe has already ended (its webhook not yet with us) extends nothing.

Real: localstripe over HTTP (devstripe), its signed webhooks into the live server, dj-stripe's endpoint,
our handlers (Celery eager), PostgreSQL. Delivery is held and done here, in the order chosen.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model

from billing.services import billing_checkout_start, stripe_webhook_setup
from devstripe.delivery import deliver
from devstripe.process import GOOD_CARD
from platform_admin import services as operator_services
from platform_admin.models import AuditEntry
from subscriptions.models import Subscription
from subscriptions.services import trial_extension_request_create
from tests.billing.conftest import webhook_url
from tests.conftest import tenant_user
from tests.signin import customer_audit
from unison.errors import ApplicationError

pytestmark = [pytest.mark.stripe]


@pytest.fixture
def stripe(transactional_db, live_server, stripe_catalog, settings):
    """Our webhook endpoint on the live server, Stripe's deliveries held; yield (server, deliver_all)."""
    settings.UNISON_PORT = str(live_server.thread.port)
    endpoint, _ = stripe_webhook_setup(base_url=live_server.url)
    stripe_catalog.call("POST", "/_test/webhooks/hold", on="true")
    url = webhook_url(live_server, endpoint)

    def deliver_all(events):
        for event in events:
            assert deliver(url, event, endpoint.secret).status_code == 200

    try:
        yield stripe_catalog, deliver_all
    finally:
        stripe_catalog.call("POST", "/_test/webhooks/hold", on="false")
        stripe_catalog.call("DELETE", f"/v1/webhook_endpoints/{endpoint.id}")


def card_on_file_trial(organization, server, deliver_all) -> tuple[str, list]:
    """Check out Professional during the trial (Stripe then runs the trial); return its id and the events."""
    url = billing_checkout_start(organization=organization, tier="professional", billing_cycle="monthly",
                                 add_ons={}, success_url="http://x/ok", cancel_url="http://x/no")
    sub_id = server.call("POST", f"/_test/checkout/{url.rsplit('/', 1)[1]}/complete", card=GOOD_CARD)["subscription"]
    events = server.call("POST", "/_test/webhooks/take")["data"]
    deliver_all(events)
    ours = Subscription.objects.get(organization=organization)
    assert (ours.status, ours.stripe_subscription_id) == ("trialing", sub_id)
    return sub_id, events


def stamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def test_an_approval_moves_stripes_trial_end_and_our_mirror_follows_whatever_the_webhook_order(
        stripe, make_organization):
    server, deliver_all = stripe
    organization = make_organization(name="Gearbox Ltd")
    owner = tenant_user(organization, role="owner")
    operator = get_user_model().objects.create_superuser(email="ops@unison.example.com", password="x" * 12)
    sub_id, checkout_events = card_on_file_trial(organization, server, deliver_all)
    before = server.call("GET", f"/v1/subscriptions/{sub_id}")["trial_end"]

    extension = trial_extension_request_create(organization=organization, user=owner, days=10, reason="Audit week")
    operator_services.operator_trial_extension_approve(extension=extension, actor=operator, days=6)

    stripe_sub = server.call("GET", f"/v1/subscriptions/{sub_id}")
    assert stripe_sub["status"] == "trialing"
    assert stripe_sub["trial_end"] == before + 6 * 86400
    assert stripe_sub["current_period_end"] == stripe_sub["trial_end"]
    fresh = server.call("POST", "/_test/webhooks/take")["data"]
    assert {event["type"] for event in fresh} >= {"customer.subscription.updated"}
    deliver_all([*reversed(fresh), *fresh, *reversed(checkout_events)])  # doubled, reversed, old ones replayed

    ours = Subscription.objects.get(organization=organization)
    assert ours.status == "trialing" and ours.stripe_subscription_id == sub_id
    assert ours.trial_ends_at == stamp(stripe_sub["trial_end"])
    assert ours.current_period_end == stamp(stripe_sub["current_period_end"])
    assert ours.mrr_cents == 0
    extension.refresh_from_db()
    assert (extension.status, extension.days_granted) == ("approved", 6)
    audit = AuditEntry.objects.get(action="subscription_extend_trial")
    assert audit.details["trial_ends_at"][1] == stamp(before + 6 * 86400).isoformat()


def test_an_approval_after_stripe_ended_the_trial_extends_nothing(stripe, make_organization):
    server, deliver_all = stripe
    organization = make_organization(name="Axle Works")
    owner = tenant_user(organization, role="owner")
    operator = get_user_model().objects.create_superuser(email="ops@unison.example.com", password="x" * 12)
    sub_id, _ = card_on_file_trial(organization, server, deliver_all)
    extension = trial_extension_request_create(organization=organization, user=owner, days=10, reason="Audit week")
    server.call("POST", f"/_test/subscriptions/{sub_id}/renew")  # the trial ends: Stripe bills the card
    held = server.call("POST", "/_test/webhooks/take")["data"]  # ...and its webhooks have not reached us yet
    converted = server.call("GET", f"/v1/subscriptions/{sub_id}")
    assert converted["status"] == "active"

    with pytest.raises(ApplicationError) as refused:
        operator_services.operator_trial_extension_approve(extension=extension, actor=operator)
    assert (refused.value.code, refused.value.field) == ("not_trialing", "status")
    assert "nothing was extended" in refused.value.message
    after = server.call("GET", f"/v1/subscriptions/{sub_id}")
    assert (after["status"], after["trial_end"], after["current_period_end"]) == (
        "active", converted["trial_end"], converted["current_period_end"])
    assert server.call("POST", "/_test/webhooks/take")["data"] == []  # Stripe was not changed at all
    extension.refresh_from_db()
    assert extension.status == "pending" and not customer_audit().exists()

    deliver_all([*held, *reversed(held)])
    ours = Subscription.objects.get(organization=organization)
    assert ours.status == "active" and ours.trial_converted
    with pytest.raises(ApplicationError, match="no longer in its trial"):  # now our mirror knows it too
        operator_services.operator_trial_extension_approve(extension=extension, actor=operator)
    assert server.call("GET", f"/v1/subscriptions/{sub_id}")["status"] == "active"
