"""Operator roles: support reads and impersonates, finance reads and runs subscriptions and metrics,
owner does everything. Each area is tried by each role in the console's pages, its actions and the
admin API: allowed, or refused with a 403 and nothing changed."""

from __future__ import annotations

from functools import partial

import pytest
from django.urls import reverse as _reverse

from platform_admin.permissions import AREAS
from subscriptions.models import TrialExtensionRequest
from tests.conftest import tenant_user
from tests.platform_admin.conftest import public_user
from tests.signin import console_client, customer_audit

reverse = partial(_reverse, urlconf="unison.urls_public")

ALLOWED = {
    "support": {"read", "impersonate"},
    "finance": {"read", "subscriptions", "metrics"},
    "owner": {"read", "impersonate", "subscriptions", "metrics", "organizations"},
}


def requests_by_area(organization, member):
    """Return, per area, the requests that use it: (label, method, url, body, API?)."""
    sub = organization.subscription.pk
    ask = TrialExtensionRequest.objects.create(organization=organization, requested_by_id=member.pk,
                                               requested_by_email=member.email, days_requested=3, reason="Pilot")
    return {
        "read": [
            ("organisation list", "get", reverse("admin:tenants_organization_changelist"), None, False),
            ("subscription list", "get", reverse("admin:subscriptions_subscription_changelist"), None, False),
            ("audit log", "get", reverse("admin:platform_admin_auditentry_changelist"), None, False),
            ("usage", "get", reverse("admin:usage"), None, False),
            ("API organisations", "get", "/api/v1/admin/organizations", None, True),
            ("API audit logs", "get", "/api/v1/admin/audit-logs", None, True),
        ],
        "impersonate": [
            ("impersonate page", "get", f"{reverse('admin:impersonate')}?organization={organization.pk}", None, False),
            ("API impersonate", "post", "/api/v1/admin/impersonate",
             {"organization_id": organization.pk, "user_id": member.pk, "minutes": 15, "reason": "Ticket 7"}, True),
        ],
        "subscriptions": [
            ("extend trial page", "get", reverse("admin:subscriptions_subscription_extend_trial", args=[sub]), None,
             False),
            ("API extend trial", "post", f"/api/v1/admin/subscriptions/{sub}/extend-trial", {"days": 3}, True),
            ("trial length page", "get", reverse("admin:tenants_organization_trial_length", args=[organization.pk]),
             None, False),
            ("trial request approve page", "get",
             reverse("admin:subscriptions_trialextensionrequest_approve", args=[ask.pk]), None, False),
            ("API trial request decline", "post", f"/api/v1/admin/trial-extensions/{ask.pk}/decline",
             {"note": "Not now"}, True),
        ],
        "metrics": [
            ("metrics CSV", "get", reverse("admin:metrics_csv", args=["figures"]), None, False),
            ("API metrics", "get", "/api/v1/admin/metrics", None, True),
            ("API growth", "get", "/api/v1/admin/metrics/growth?period=7d", None, True),
        ],
        "organizations": [
            ("API rename", "patch", f"/api/v1/admin/organizations/{organization.pk}", {"name": "Renamed"}, True),
            ("console edit", "post", reverse("admin:tenants_organization_change", args=[organization.pk]),
             {"name": "Renamed", "email": organization.email, "is_active": "on"}, False),
        ],
    }


def send(client, method: str, url: str, body, api: bool):
    if body is None:
        return getattr(client, method)(url)
    if api:
        return getattr(client, method)(url, body, content_type="application/json")
    return getattr(client, method)(url, body)


def test_the_table_of_roles_is_the_one_the_code_enforces():
    assert {role: {area for area, roles in AREAS.items() if role in roles} for role in ALLOWED} == ALLOWED


@pytest.mark.parametrize("role", ["support", "finance", "owner"])
def test_each_role_against_each_area(role, organization):
    member = tenant_user(organization, role="member")
    client = console_client(public_user(f"{role}@unison.test", is_staff=True, is_superuser=True, console_role=role))
    outcomes = {}
    for area, requests in requests_by_area(organization, member).items():
        for label, method, url, body, api in requests:
            response = send(client, method, url, body, api)
            outcomes[label] = response.status_code
            if area in ALLOWED[role]:
                assert response.status_code in (200, 201, 302), (role, label, response.status_code)
            else:
                assert response.status_code == 403, (role, label, response.status_code)
    organization.refresh_from_db()
    renamed = organization.name == "Renamed"
    assert renamed == ("organizations" in ALLOWED[role]), outcomes
    actions = set(customer_audit().values_list("action", flat=True))
    assert ("subscription_extend_trial" in actions) == ("subscriptions" in ALLOWED[role])
    assert ("impersonation_start" in actions) == ("impersonate" in ALLOWED[role])


@pytest.mark.parametrize("role", ["support", "finance"])
def test_the_bulk_deactivate_action_is_only_the_owners(role, organization):
    client = console_client(public_user(f"{role}@unison.test", is_staff=True, is_superuser=True, console_role=role))
    client.post(reverse("admin:tenants_organization_changelist"),
                {"action": "deactivate", "_selected_action": [organization.pk]})
    organization.refresh_from_db()
    assert organization.is_active and not customer_audit().exists()


def test_support_lands_on_the_organisations_not_the_metrics(organization):
    client = console_client(public_user("support@unison.test", is_staff=True, is_superuser=True,
                                        console_role="support"))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("admin:tenants_organization_changelist")
    page = client.get(reverse("admin:subscriptions_subscription_change", args=[organization.subscription.pk]))
    assert page.status_code == 200 and "Extend trial" not in page.content.decode()
