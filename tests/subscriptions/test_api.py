"""The subscription API on a tenant host, by session and by JWT, and what it refuses."""

from __future__ import annotations

import pytest
from django.test import Client

from subscriptions.models import Status, Subscription
from tests.conftest import PASSWORD, billed, client_for, tenant_user, unique_slug

ENDPOINTS = [
    ("get", "/api/v1/subscription", None),
    ("get", "/api/v1/subscription/usage", None),
    ("post", "/api/v1/subscription/upgrade", {"tier": "enterprise", "billing_cycle": "monthly"}),
    ("post", "/api/v1/subscription/downgrade", {"tier": "starter"}),
    ("post", "/api/v1/subscription/cancel", {"at_period_end": True}),
    ("get", "/api/v1/subscription/limits/check?action=add_user", None),
]


def call(client: Client, method: str, path: str, body=None, **headers):
    if method == "get":
        return client.get(path, **headers)
    return client.post(path, body or {}, content_type="application/json", **headers)


def token_for(organization, email: str) -> str:
    response = Client(HTTP_HOST=organization.host).post(
        "/api/v1/auth/token", {"email": email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["access"]


@pytest.fixture
def api(organization, owner) -> Client:
    return client_for(organization, owner)


def test_a_member_reads_the_subscription_with_plan_trial_features_and_limits(organization, teammate):
    body = client_for(organization, teammate).get("/api/v1/subscription").json()
    assert (body["tier"], body["status"], body["billing_cycle"]) == ("professional", "trialing", "monthly")
    assert (body["price_cents"], body["currency"], body["days_left_in_trial"]) == (19900, "usd", 14)
    assert len(body["features"]) == 13 and "quality_management" in body["features"]
    assert body["limits"] == {"users": 25, "plants": 5, "storage_bytes": 100 * 1024**3}
    assert body["read_only"] is False and body["upgrade_url"] == "/billing/"


def test_a_jwt_from_the_same_organization_is_accepted(organization, owner):
    token = token_for(organization, owner.email)
    response = Client(HTTP_HOST=organization.host).get(
        "/api/v1/subscription/usage", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    assert response.json()["users"] == {"used": 1, "limit": 25, "percent": 4.0}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_each_endpoint_refuses_another_tenants_token(organization, other_organization, outsider, method, path, body):
    token = token_for(other_organization, outsider.email)
    client = Client(HTTP_HOST=organization.host)
    response = call(client, method, path, body, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in (401, 403)  # DRF answers 403 when session auth is listed first
    assert "another workspace" in response.json()["detail"]
    assert Subscription.objects.get(organization=organization).tier == "professional"


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_each_endpoint_refuses_another_tenants_session(organization, other_organization, outsider, method, path, body):
    client = client_for(other_organization, outsider)  # carries the outsider's session cookie
    response = call(client, method, path, body, HTTP_HOST=organization.host)
    assert response.status_code in (401, 403)
    assert "tier" not in response.json()
    stored = Subscription.objects.get(organization=organization)
    assert (stored.tier, stored.cancel_at_period_end) == ("professional", False)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_each_endpoint_refuses_an_anonymous_caller(organization, method, path, body):
    response = call(Client(HTTP_HOST=organization.host), method, path, body)
    assert response.status_code in (401, 403)


@pytest.mark.stripe
def test_a_trial_that_asks_for_a_plan_gets_a_402_with_the_checkout_and_keeps_its_trial_tier(stripe_catalog, api,
                                                                                          organization):
    response = api.post(
        "/api/v1/subscription/upgrade", {"tier": "enterprise", "billing_cycle": "annual"}, "application/json"
    )
    assert response.status_code == 402, response.content
    assert response.json()["checkout_url"].startswith(f"{stripe_catalog.url}/_test/checkout/")
    body = api.get("/api/v1/subscription").json()
    assert (body["tier"], body["billing_cycle"], body["status"]) == ("professional", "monthly", "trialing")
    assert "sap_integration" not in body["features"] and body["limits"]["users"] == 25


def test_a_member_cannot_upgrade(organization, teammate):
    response = client_for(organization, teammate).post(
        "/api/v1/subscription/upgrade", {"tier": "enterprise"}, "application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "owner_or_admin_only"
    assert Subscription.objects.get(organization=organization).tier == "professional"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/subscription/upgrade", {"tier": "platinum"}, "tier"),
        ("/api/v1/subscription/upgrade", {}, "tier"),
        ("/api/v1/subscription/upgrade", {"tier": "enterprise", "billing_cycle": "weekly"}, "billing_cycle"),
        ("/api/v1/subscription/upgrade", {"tier": "starter"}, "tier"),
        ("/api/v1/subscription/downgrade", {"tier": "enterprise"}, "tier"),
        ("/api/v1/subscription/downgrade", {"tier": ""}, "tier"),
        ("/api/v1/subscription/cancel", {"at_period_end": "perhaps"}, "at_period_end"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, organization, path, body, field):
    response = api.post(path, body, "application/json")
    assert response.status_code == 400
    assert field in response.json()
    stored = Subscription.objects.get(organization=organization)
    assert (stored.tier, stored.status, stored.cancel_at_period_end) == ("professional", "trialing", False)


@pytest.mark.parametrize(
    ("query", "field"),
    [("action=add_robot", "action"), ("", "action"), ("action=upload", "bytes"), ("action=upload&bytes=-1", "bytes")],
)
def test_a_bad_limit_check_is_a_400_naming_the_field(api, query, field):
    response = api.get(f"/api/v1/subscription/limits/check?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_the_limit_check_answers_for_users_plants_and_uploads(api):
    body = api.get("/api/v1/subscription/limits/check?action=add_user").json()
    assert (body["allowed"], body["used"], body["limit"]) == (True, 1, 25)
    assert api.get("/api/v1/subscription/limits/check?action=add_plant").json()["allowed"] is True
    huge = api.get(f"/api/v1/subscription/limits/check?action=upload&bytes={101 * 1024**3}").json()
    assert huge["allowed"] is False and "storage" in huge["message"] and huge["upgrade_url"] == "/billing/"


def test_a_downgrade_that_does_not_fit_lists_what_exceeds(api, organization):
    for _ in range(3):
        tenant_user(organization)
    response = api.post("/api/v1/subscription/downgrade", {"tier": "starter"}, "application/json")
    assert response.status_code == 400
    assert response.json()["tier"] == ["You have 4 users; Starter allows 3."]


@pytest.mark.stripe
def test_a_downgrade_that_fits_during_a_trial_goes_to_checkout_too(stripe_catalog, api, organization):
    response = api.post("/api/v1/subscription/downgrade", {"tier": "starter"}, "application/json")
    assert response.status_code == 402 and response.json()["code"] == "payment_required"
    assert Subscription.objects.get(organization=organization).tier == "professional"


def test_cancelling_a_trial_keeps_it_until_its_end(api, organization):
    body = api.post("/api/v1/subscription/cancel", {}, "application/json").json()
    assert (body["status"], body["cancel_at_period_end"]) == ("trialing", True)


def test_cancelling_a_trial_now_ends_it(api, organization):
    body = api.post("/api/v1/subscription/cancel", {"at_period_end": False}, "application/json").json()
    assert (body["status"], body["read_only"]) == ("cancelled", True)


def test_a_past_due_subscription_cannot_upgrade_and_gets_a_409(api, organization):
    billed(organization, status=Status.PAST_DUE)
    response = api.post("/api/v1/subscription/upgrade", {"tier": "enterprise"}, "application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "payment_past_due" and "status" in response.json()


def test_a_suspended_organization_reads_but_cannot_change_its_plan(api, organization):
    billed(organization, status=Status.SUSPENDED)
    assert api.get("/api/v1/subscription").json()["read_only"] is True
    response = api.post("/api/v1/subscription/upgrade", {"tier": "enterprise"}, "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "subscription_read_only"
    assert Subscription.objects.get(organization=organization).tier == "starter"


def test_the_openapi_schema_and_swagger_ui_show_the_subscription_api(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/subscription", "/api/v1/subscription/usage", "/api/v1/subscription/limits/check"):
        assert path in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/subscription/upgrade"]
    assert api.get("/api/docs/").status_code == 200


def test_a_workspace_without_a_subscription_gets_a_404_not_a_500(db):
    from tenants.services import organization_provision

    bare = organization_provision(name="No Plan", slug=unique_slug("bare"), owner_email="o@bare.example.com",
                                  owner_password=PASSWORD, owner_name="O")
    api = client_for(bare, tenant_user(bare, role="owner"))
    for path in ("/api/v1/subscription", "/api/v1/subscription/usage"):
        response = api.get(path)
        assert (response.status_code, response.json()["code"]) == (404, "no_subscription")
    assert api.get("/api/v1/subscription/limits/check?action=add_user").json()["allowed"] is False
