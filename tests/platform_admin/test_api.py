"""The admin API: lists, filters, actions and clear 400s that name the bad field."""

from __future__ import annotations

import pytest

from subscriptions.models import UsageSnapshot
from tests.conftest import tenant_user
from tests.signin import customer_audit


def test_organizations_are_searched_filtered_and_paginated(make_organization, operator_client):
    acme = make_organization(name="Acme Gears", industry="automotive")
    make_organization(name="Bolt Foods", industry="food")
    found = operator_client.get("/api/v1/admin/organizations?search=gears").json()
    assert [o["name"] for o in found["results"]] == ["Acme Gears"]
    assert found["results"][0]["subscription"]["status"] == "trialing"
    by_industry = operator_client.get("/api/v1/admin/organizations?industry=food").json()
    assert [o["name"] for o in by_industry["results"]] == ["Bolt Foods"]
    by_slug = operator_client.get(f"/api/v1/admin/organizations?search={acme.slug}").json()
    assert by_slug["count"] == 1
    page = operator_client.get("/api/v1/admin/organizations?status=trialing&tier=professional").json()
    assert page["count"] == 2 and "next" in page


@pytest.mark.parametrize(
    "query, field",
    [("tier=gold", "tier"), ("status=sleeping", "status"), ("industry=mining", "industry"), ("created_after=yesterday", "created_after")],
)
def test_a_bad_organization_filter_answers_400_naming_it(operator_client, query, field):
    response = operator_client.get(f"/api/v1/admin/organizations?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_an_organization_detail_shows_subscription_usage_and_users(organization, teammate, operator_client):
    UsageSnapshot.objects.create(organization=organization, users=2, plants=0, storage_bytes=0)
    body = operator_client.get(f"/api/v1/admin/organizations/{organization.pk}").json()
    assert body["subscription"]["tier"] == "professional"
    assert {u["email"] for u in body["users"]} == {f"owner@{organization.slug}.example.com", teammate.email}
    assert body["usage_history"][0]["users"] == 2
    assert body["events"][0]["transition"] == "start_trial"


def test_an_unknown_organization_is_a_404(operator_client, db):
    assert operator_client.get("/api/v1/admin/organizations/999999").status_code == 404


def test_patching_with_a_bad_email_answers_400_and_changes_nothing(organization, operator_client):
    response = operator_client.patch(
        f"/api/v1/admin/organizations/{organization.pk}", {"email": "not-an-email", "name": "New"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "email" in response.json()
    organization.refresh_from_db()
    assert organization.name == "Acme Works"
    assert not customer_audit().exists()


def test_subscriptions_are_listed_and_filtered(make_organization, operator_client):
    make_organization(name="Acme Gears")
    body = operator_client.get("/api/v1/admin/subscriptions?status=trialing").json()
    assert body["count"] == 1 and body["results"][0]["organization_name"] == "Acme Gears"
    assert operator_client.get("/api/v1/admin/subscriptions?status=active").json()["count"] == 0
    assert "status" in operator_client.get("/api/v1/admin/subscriptions?status=sleeping").json()


def test_subscription_actions_change_it_and_audit_each_once(organization, operator_client):
    base = f"/api/v1/admin/subscriptions/{organization.subscription.pk}"
    extended = operator_client.post(f"{base}/extend-trial", {"days": 5}, content_type="application/json")
    assert extended.status_code == 200 and extended.json()["status"] == "trialing"
    ends = extended.json()["trial_ends_at"]
    suspended = operator_client.post(f"{base}/suspend", {"reason": "Unpaid invoice"}, content_type="application/json")
    # A suspension is the operator's hold: the billing status stays the trial's.
    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"] == "trialing" and suspended.json()["held_at"] is not None
    assert suspended.json()["hold_reason"] == "Unpaid invoice" and suspended.json()["suspension_reason"] == ""
    reactivated = operator_client.post(f"{base}/reactivate", {}, content_type="application/json")
    # Reactivating used to make the trial paid ("active"); lifting the hold now leaves the trial as it was.
    assert reactivated.status_code == 200, reactivated.content
    assert (reactivated.json()["status"], reactivated.json()["held_at"]) == ("trialing", None)
    assert reactivated.json()["trial_ends_at"] == ends and reactivated.json()["mrr_cents"] == 0
    actions = list(customer_audit().order_by("id").values_list("action", flat=True))
    assert actions == ["subscription_extend_trial", "subscription_suspend", "subscription_reactivate"]


@pytest.mark.parametrize(
    "action, body, field",
    [
        ("extend-trial", {}, "days"),
        ("extend-trial", {"days": "many"}, "days"),
        ("extend-trial", {"days": 0}, "days"),
        ("suspend", {}, "reason"),
        ("suspend", {"reason": "   "}, "reason"),
        ("comp", {}, "tier"),
        ("comp", {"tier": "gold", "reason": "Pilot"}, "tier"),
        ("comp", {"tier": "enterprise"}, "reason"),
        ("comp", {"tier": "enterprise", "reason": "   "}, "reason"),
        ("comp", {"tier": "enterprise", "reason": "Pilot", "mrr_cents": 0}, "mrr_cents"),  # unknown field
        ("change-plan", {}, "tier"),
        ("change-plan", {"tier": "gold"}, "tier"),
        ("change-plan", {"tier": "starter", "billing_cycle": "weekly"}, "billing_cycle"),
        ("change-plan", {"tier": "starter", "add_ons": {"extra_user": -1}}, "add_ons"),
    ],
)
def test_bad_subscription_actions_answer_400_naming_the_field(organization, operator_client, action, body, field):
    url = f"/api/v1/admin/subscriptions/{organization.subscription.pk}/{action}"
    response = operator_client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    organization.subscription.refresh_from_db()
    subscription = organization.subscription
    assert (subscription.status, subscription.tier, subscription.held_at, subscription.comp_tier) == (
        "trialing", "professional", None, "")
    assert not customer_audit().exists()


@pytest.mark.parametrize(
    "action, code, field",
    [
        ("reactivate", "not_held", "status"),  # a workspace no operator suspended has no hold to lift
        ("end-comp", "not_comped", "comp_tier"),  # nor a free plan to end
    ],
)
def test_an_action_with_nothing_to_undo_answers_409_and_writes_nothing(organization, operator_client, action, code,
                                                                       field):
    url = f"/api/v1/admin/subscriptions/{organization.subscription.pk}/{action}"
    response = operator_client.post(url, {}, content_type="application/json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == code and body[field] == [body["detail"]]
    organization.subscription.refresh_from_db()
    assert (organization.subscription.status, organization.subscription.held_at) == ("trialing", None)
    assert not customer_audit().exists()


def test_comp_gives_the_tier_free_and_is_audited(organization, owner, operator_client,
                                                 django_capture_on_commit_callbacks):
    from subscriptions.entitlements import entitlements_for
    from tests.conftest import client_for

    assert entitlements_for(organization).tier == "professional"  # cached before the comp
    url = f"/api/v1/admin/subscriptions/{organization.subscription.pk}/comp"
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url, {"tier": "enterprise", "reason": "Design partner"},
                                        content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["comp_tier"], body["comp_reason"], body["mrr_cents"]) == ("enterprise", "Design partner", 0)
    assert body["status"] == "trialing" and body["comped_at"] is not None
    rights = entitlements_for(organization)
    assert (rights.tier, rights.status, rights.read_only, rights.comped) == ("enterprise", "active", False, True)
    seen = client_for(organization, owner).get("/api/v1/subscription").json()
    assert (seen["entitled_tier"], seen["comp_tier"], seen["access_status"]) == ("enterprise", "enterprise", "active")
    [entry] = customer_audit().all()
    assert entry.action == "subscription_comp" and entry.organization_id == organization.pk
    assert (entry.details["tier"], entry.details["reason"]) == ("enterprise", "Design partner")


def test_end_comp_restores_what_stripe_bills_and_is_audited(organization, operator_client):
    base = f"/api/v1/admin/subscriptions/{organization.subscription.pk}"
    operator_client.post(f"{base}/comp", {"tier": "enterprise", "reason": "Pilot"}, content_type="application/json")
    response = operator_client.post(f"{base}/end-comp", {}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert (response.json()["comp_tier"], response.json()["comped_at"]) == ("", None)
    actions = list(customer_audit().order_by("id").values_list("action", flat=True))
    assert actions == ["subscription_comp", "subscription_end_comp"]


def test_change_plan_is_refused_on_tier_for_a_workspace_stripe_does_not_bill(organization, operator_client):
    url = f"/api/v1/admin/subscriptions/{organization.subscription.pk}/change-plan"
    response = operator_client.post(url, {"tier": "starter", "billing_cycle": "monthly"},
                                    content_type="application/json")
    assert response.status_code == 400, response.content
    assert "no subscription in Stripe" in response.json()["tier"][0]
    organization.subscription.refresh_from_db()
    assert (organization.subscription.tier, organization.subscription.status) == ("professional", "trialing")
    assert not customer_audit().exists()


def test_metrics_and_growth_answer_for_each_period(organization, operator_client):
    figures = operator_client.get("/api/v1/admin/metrics").json()
    assert figures["organizations"] == 1 and figures["trials"] == 1 and figures["mrr_cents"] == 0
    for period, days in (("7d", 7), ("30d", 30), ("90d", 90)):
        growth = operator_client.get(f"/api/v1/admin/metrics/growth?period={period}").json()
        assert len(growth["series"]) == days
        assert growth["totals"]["signups"] == 1
    bad = operator_client.get("/api/v1/admin/metrics/growth?period=5d")
    assert bad.status_code == 400 and "period" in bad.json()


def test_usage_tops_and_violations(make_organization, operator_client):
    small, big = make_organization(name="Small"), make_organization(name="Big")
    UsageSnapshot.objects.create(organization=small, users=3, plants=1, storage_bytes=10)
    UsageSnapshot.objects.create(organization=big, users=40, plants=2, storage_bytes=5)
    top = operator_client.get("/api/v1/admin/usage/top-organizations?metric=users").json()
    assert [row["organization_name"] for row in top["results"]] == ["Big", "Small"]
    assert top["results"][0]["user_limit"] == 25
    storage = operator_client.get("/api/v1/admin/usage/top-organizations?metric=storage&limit=1").json()
    assert [row["organization_name"] for row in storage["results"]] == ["Small"]
    violations = operator_client.get("/api/v1/admin/usage/violations").json()
    assert [row["organization_name"] for row in violations["results"]] == ["Big"]
    bad = operator_client.get("/api/v1/admin/usage/top-organizations?metric=cats")
    assert bad.status_code == 400 and "metric" in bad.json()


def test_audit_logs_are_listed_and_filtered(make_organization, operator_client):
    first, second = make_organization(), make_organization()
    for org in (first, second):
        operator_client.patch(f"/api/v1/admin/organizations/{org.pk}", {"name": "Renamed"}, content_type="application/json")
    everything = operator_client.get("/api/v1/admin/audit-logs").json()
    # The operator's own sign-in is in the log too, before the two changes.
    assert [e["action"] for e in everything["results"]] == ["organization_update"] * 2 + ["console_sign_in"]
    one = operator_client.get(f"/api/v1/admin/audit-logs?organization_id={first.pk}").json()
    assert [e["organization_id"] for e in one["results"]] == [first.pk]
    assert one["results"][0]["actor_email"] == "operator@unison.test"
    assert "organization_id" in operator_client.get("/api/v1/admin/audit-logs?organization_id=x").json()


def test_impersonation_through_the_api_returns_a_link_and_audits_it(organization, operator_client):
    user = tenant_user(organization, role="member")
    response = operator_client.post(
        "/api/v1/admin/impersonate",
        {"organization_id": organization.pk, "user_id": user.pk, "minutes": 30, "reason": "Ticket 42"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["url"].startswith(f"http://{organization.host}")
    assert "expires_at" in response.json()
    [entry] = customer_audit().all()
    assert entry.action == "impersonation_start" and entry.details["user_email"] == user.email


@pytest.mark.parametrize(
    "change, field",
    [
        ({"minutes": 3}, "minutes"),
        ({"minutes": 241}, "minutes"),
        ({"reason": ""}, "reason"),
        ({"user_id": 999999}, "user_id"),
        ({"organization_id": 999999}, "organization_id"),
        ({"minutes": None}, "minutes"),
    ],
)
def test_bad_impersonation_requests_answer_400_naming_the_field(organization, owner, operator_client, change, field):
    body = {"organization_id": organization.pk, "user_id": owner.pk, "minutes": 30, "reason": "Ticket 42", **change}
    response = operator_client.post("/api/v1/admin/impersonate", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not customer_audit().exists()


def test_the_admin_api_is_in_the_public_hosts_openapi_schema(public_client):
    response = public_client.get("/api/schema/")
    assert response.status_code == 200
    paths = ("/api/v1/admin/metrics", "/api/v1/admin/subscriptions/{id}/suspend", "/api/v1/admin/impersonate",
             "/api/v1/admin/subscriptions/{id}/comp", "/api/v1/admin/subscriptions/{id}/end-comp",
             "/api/v1/admin/subscriptions/{id}/change-plan")
    for path in paths:
        assert path in response.content.decode(), path
