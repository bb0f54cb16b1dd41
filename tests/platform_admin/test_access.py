"""Only superusers reach the console and the admin API: anonymous visitors, staff who are not
superusers and tenant users are refused everywhere."""

from __future__ import annotations

from functools import partial

import pytest
from django.urls import reverse as _reverse

from tests.conftest import client_for
from tests.platform_admin.conftest import console_client
from tests.signin import customer_audit, enrolled, next_code

reverse = partial(_reverse, urlconf="unison.urls_public")


def console_pages(organization) -> list[str]:
    subscription = organization.subscription
    return [
        reverse("admin:index"),
        reverse("admin:usage"),
        reverse("admin:impersonate"),
        reverse("admin:tenants_organization_changelist"),
        reverse("admin:tenants_organization_change", args=[organization.pk]),
        reverse("admin:subscriptions_subscription_changelist"),
        reverse("admin:subscriptions_subscription_change", args=[subscription.pk]),
        reverse("admin:subscriptions_subscription_extend_trial", args=[subscription.pk]),
        reverse("admin:subscriptions_subscription_suspend", args=[subscription.pk]),
        reverse("admin:subscriptions_subscription_reactivate", args=[subscription.pk]),
        *subscription_action_pages(organization),
        reverse("admin:platform_admin_auditentry_changelist"),
        reverse("admin:subscriptions_trialextensionrequest_changelist"),
        *[reverse(f"admin:subscriptions_trialextensionrequest_{name}", args=[extension_of(organization).pk])
          for name in ("approve", "decline")],
    ]


def extension_of(organization):
    """Return the organisation's request for more trial days, made by its owner if it has none yet."""
    from subscriptions.models import TrialExtensionRequest
    from subscriptions.services import trial_extension_request_create
    from tests.conftest import tenant_user

    return TrialExtensionRequest.objects.filter(organization=organization).first() or trial_extension_request_create(
        organization=organization, user=tenant_user(organization, role="owner"), days=5, reason="Need time")


def subscription_action_pages(organization) -> list[str]:
    """The console's actions on what a customer is billed or given: change the plan, comp, end a comp."""
    pk = organization.subscription.pk
    return [reverse(f"admin:subscriptions_subscription_{name}", args=[pk]) for name in ("change_plan", "comp", "end_comp")]


def api_calls(organization) -> list[tuple[str, str]]:
    s = organization.subscription.pk
    return [
        ("get", "/api/v1/admin/organizations"),
        ("get", f"/api/v1/admin/organizations/{organization.pk}"),
        ("patch", f"/api/v1/admin/organizations/{organization.pk}"),
        ("get", "/api/v1/admin/subscriptions"),
        ("post", f"/api/v1/admin/subscriptions/{s}/extend-trial"),
        ("post", f"/api/v1/admin/subscriptions/{s}/suspend"),
        ("post", f"/api/v1/admin/subscriptions/{s}/reactivate"),
        ("post", f"/api/v1/admin/subscriptions/{s}/comp"),
        ("post", f"/api/v1/admin/subscriptions/{s}/end-comp"),
        ("post", f"/api/v1/admin/subscriptions/{s}/change-plan"),
        ("get", "/api/v1/admin/metrics"),
        ("get", "/api/v1/admin/metrics/growth?period=7d"),
        ("get", "/api/v1/admin/usage/top-organizations?metric=users"),
        ("get", "/api/v1/admin/usage/violations"),
        ("post", "/api/v1/admin/impersonate"),
        ("get", "/api/v1/admin/audit-logs"),
        ("get", "/api/v1/admin/trial-extensions"),
        ("post", f"/api/v1/admin/trial-extensions/{extension_of(organization).pk}/approve"),
        ("post", f"/api/v1/admin/trial-extensions/{extension_of(organization).pk}/decline"),
    ]


def test_anonymous_visitors_are_sent_to_the_console_sign_in(organization):
    client = console_client()
    for url in console_pages(organization):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_who_are_not_superusers_are_refused_every_page(organization, staff_client):
    for url in console_pages(organization):
        response = staff_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    # Following the redirect shows the sign-in form, not the dashboard.
    page = staff_client.get(reverse("admin:index"), follow=True)
    assert b'name="password"' in page.content and b"console-dashboard" not in page.content


def test_superusers_reach_every_page(organization, operator_client):
    for url in console_pages(organization):
        assert operator_client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_admin_api_refuses_anyone_but_superusers(organization, staff, who):
    client = console_client(staff if who == "staff" else None)
    for method, url in api_calls(organization):
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code in (401, 403), (method, url, response.status_code)
    organization.subscription.refresh_from_db()
    assert organization.subscription.status == "trialing"
    assert (organization.subscription.held_at, organization.subscription.comp_tier) == (None, "")
    assert extension_of(organization).status == "pending"


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_plan_and_comp_actions_refuse_anyone_but_superusers_and_change_nothing(organization, staff, who):
    from subscriptions import catalog

    client = console_client(staff if who == "staff" else None)
    forms = {
        "change_plan": {"tier": "enterprise", "billing_cycle": "monthly",
                        **{f"add_on_{key}": 0 for key in catalog.ADD_ONS}},
        "comp": {"tier": "enterprise", "reason": "Free for me"},
        "end_comp": {},
    }
    for name, form in forms.items():
        url = reverse(f"admin:subscriptions_subscription_{name}", args=[organization.subscription.pk])
        response = client.post(url, form)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name
    organization.subscription.refresh_from_db()
    assert (organization.subscription.tier, organization.subscription.comp_tier) == ("professional", "")
    assert not customer_audit().exists()


def test_tenant_hosts_do_not_route_the_console_or_the_admin_api(organization, owner):
    client = client_for(organization, owner)
    assert client.get("/admin/").status_code == 404
    assert client.get("/api/v1/admin/metrics").status_code == 404


def test_a_tenant_users_token_is_worthless_on_the_public_host(organization, owner):
    tokens = client_for(organization).post(
        "/api/v1/auth/token", {"email": owner.email, "password": "correct-horse-battery-staple"},
        content_type="application/json",
    )
    assert tokens.status_code == 200, tokens.content
    response = console_client().get(
        "/api/v1/admin/metrics", HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}"
    )
    assert response.status_code in (401, 403)
    assert "another workspace" in response.json()["detail"]


def test_an_operator_token_opens_the_admin_api(operator):
    enrolled(operator)
    tokens = console_client().post(
        "/api/v1/admin/auth/token",
        {"email": operator.email, "password": "correct-horse-battery-staple", "two_factor_code": next_code(operator)},
        content_type="application/json",
    )
    assert tokens.status_code == 200, tokens.content
    bearer = f"Bearer {tokens.json()['access']}"
    assert console_client().get("/api/v1/admin/metrics", HTTP_AUTHORIZATION=bearer).status_code == 200


def test_a_staff_token_does_not_open_the_admin_api(staff):
    tokens = console_client().post(
        "/api/v1/admin/auth/token", {"email": staff.email, "password": "correct-horse-battery-staple"},
        content_type="application/json",
    )
    response = console_client().get("/api/v1/admin/metrics", HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    assert response.status_code == 403
