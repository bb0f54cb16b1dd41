"""The tenant's billing page (Django test client) against a real local Stripe (localstripe).

Emulated by devstripe/extension.py: prices by lookup key and Checkout sessions.
"""

from __future__ import annotations

import pytest

from subscriptions.models import Subscription
from tests.conftest import client_for

pytestmark = pytest.mark.stripe


def test_the_page_shows_plan_trial_usage_tiers_and_no_invoices_yet(stripe_catalog, organization, owner):
    response = client_for(organization, owner).get("/billing/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Professional" in page and "Trialing" in page
    assert "days left" in page
    assert 'aria-label="Users"' in page and "of 25" in page
    for name in ("Starter", "Enterprise", "$49", "$999"):
        assert name in page
    assert "No invoices yet." in page
    assert "Continue to payment" in page


def test_a_member_sees_the_page_without_the_plan_form_and_cannot_post_it(stripe_catalog, organization, teammate):
    client = client_for(organization, teammate)

    assert "Continue to payment" not in client.get("/billing/").content.decode()
    assert client.post("/billing/plan/", {"tier": "starter", "billing_cycle": "monthly"}).status_code == 403
    assert client.post("/billing/portal/").status_code == 403


def test_choosing_a_plan_shows_what_it_costs_then_redirects_to_stripe_checkout(stripe_catalog, organization, owner):
    client = client_for(organization, owner)
    choice = {"tier": "starter", "billing_cycle": "monthly", "add_on_extra_user": "2"}

    preview = client.post("/billing/plan/", choice)

    page = preview.content.decode()
    assert preview.status_code == 200
    # The trial is kept: nothing today, then Starter ($49) and two extra users ($5 each) a month.
    assert "You'll pay <strong data-testid=\"due-today\">$0</strong> today, then <strong>$59</strong> monthly" in page
    assert Subscription.objects.get(organization=organization).checkout_session_id == ""

    response = client.post("/billing/plan/", {**choice, "confirm": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_catalog.url}/_test/checkout/cs_test_")
    assert Subscription.objects.get(organization=organization).status == "trialing"


def test_a_plan_above_the_trials_is_charged_today_in_the_preview(stripe_catalog, organization, owner):
    preview = client_for(organization, owner).post("/billing/plan/", {"tier": "enterprise", "billing_cycle": "monthly"})

    assert "You'll pay <strong data-testid=\"due-today\">$999</strong> today" in preview.content.decode()


@pytest.mark.parametrize(("data", "message"), [
    ({"tier": "gold", "billing_cycle": "monthly"}, "Select a valid choice"),
    ({"tier": "starter", "billing_cycle": "monthly", "add_on_extra_user": "-1"}, "greater than or equal to 0"),
    ({"tier": "starter", "billing_cycle": "annual", "add_on_extra_plant": "1"}, "Add-ons are billed monthly"),
])
def test_bad_choices_come_back_with_a_message_and_nothing_changes(stripe_catalog, organization, owner, data, message):
    response = client_for(organization, owner).post("/billing/plan/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Subscription.objects.get(organization=organization).stripe_customer_id == ""


def test_stripe_being_down_shows_a_clear_message(stripe_catalog, organization, owner, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = client_for(organization, owner).post("/billing/plan/", {"tier": "starter", "billing_cycle": "monthly"})

    assert response.status_code == 503
    assert "could not be reached" in response.content.decode()
    assert Subscription.objects.get(organization=organization).stripe_customer_id == ""
