"""Every operator action writes exactly one audit entry, and the database refuses to rewrite history."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse as _reverse

from platform_admin import services
from platform_admin.models import AuditEntry
from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute
from tests.conftest import client_for
from tests.signin import customer_audit

reverse = partial(_reverse, urlconf="unison.urls_public")


def entries(action: str | None = None) -> list[AuditEntry]:
    found = customer_audit().all()
    return list(found.filter(action=action) if action else found)


def test_the_database_refuses_to_update_an_audit_entry(organization, operator):
    entry = services.organization_update(organization=organization, actor=operator, name="Renamed Works")
    entry = customer_audit().get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE platform_admin_auditentry SET action = 'nothing' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.action == "organization_update"


def test_the_database_refuses_to_delete_an_audit_entry(organization, operator):
    services.organization_update(organization=organization, actor=operator, name="Renamed Works")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM platform_admin_auditentry")
    assert customer_audit().count() == 1
    # The ORM goes the same way.
    with pytest.raises(DatabaseError), transaction.atomic():
        customer_audit().all().delete()
    assert customer_audit().count() == 1


def test_renaming_an_organization_writes_one_entry_with_the_change(organization, operator):
    services.organization_update(organization=organization, actor=operator, name="Renamed Works")
    [entry] = entries()
    assert (entry.actor_email, entry.action, entry.target_type) == (operator.email, "organization_update", "organization")
    assert entry.organization_id == organization.pk
    assert entry.details["changes"] == {"name": ["Acme Works", "Renamed Works"]}


def test_an_update_that_changes_nothing_writes_nothing(organization, operator):
    services.organization_update(organization=organization, actor=operator, name=organization.name)
    assert entries() == []


def test_deactivating_through_the_api_writes_one_entry_and_closes_the_workspace(organization, owner, operator_client):
    response = operator_client.patch(
        f"/api/v1/admin/organizations/{organization.pk}", {"is_active": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert [e.action for e in entries()] == ["organization_deactivate"]
    assert client_for(organization, owner).get("/").status_code == 403


def test_the_console_bulk_actions_write_one_entry_per_organization(make_organization, operator_client):
    first, second = make_organization(), make_organization()
    response = operator_client.post(
        reverse("admin:tenants_organization_changelist"),
        {"action": "deactivate", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    assert sorted(e.organization_id for e in entries("organization_deactivate")) == sorted([first.pk, second.pk])
    assert len(entries()) == 2


def test_editing_in_the_console_form_goes_through_the_audited_service(organization, operator_client):
    url = reverse("admin:tenants_organization_change", args=[organization.pk])
    response = operator_client.post(url, {"name": "Acme Holdings", "email": organization.email, "is_active": "on"})
    assert response.status_code == 302, response.content[:2000]
    organization.refresh_from_db()
    assert organization.name == "Acme Holdings"
    assert [e.action for e in entries()] == ["organization_update"]


def test_extending_a_trial_in_the_console_writes_one_entry(organization, operator_client):
    subscription = organization.subscription
    before = subscription.trial_ends_at
    url = reverse("admin:subscriptions_subscription_extend_trial", args=[subscription.pk])
    response = operator_client.post(url, {"days": 10})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.trial_ends_at - before).days == 10
    [entry] = entries()
    assert entry.action == "subscription_extend_trial" and entry.details["days"] == 10


def test_a_bad_number_of_days_is_a_form_error_and_writes_nothing(organization, operator_client):
    url = reverse("admin:subscriptions_subscription_extend_trial", args=[organization.subscription.pk])
    response = operator_client.post(url, {"days": 0})
    assert response.status_code == 200
    assert "days" in response.context["form"].errors
    assert entries() == []


def test_suspending_needs_a_reason_and_writes_one_entry(organization, operator_client):
    subscription = organization.subscription
    url = reverse("admin:subscriptions_subscription_suspend", args=[subscription.pk])
    assert "reason" in operator_client.post(url, {"reason": "  "}).context["form"].errors
    assert entries() == []
    assert operator_client.post(url, {"reason": "Fraudulent card"}).status_code == 302
    subscription.refresh_from_db()
    # The suspension is an operator's hold beside the billing status, which stays Stripe's (here: the trial).
    assert (subscription.status, subscription.suspension_reason) == ("trialing", "")
    assert subscription.held_at is not None and subscription.hold_reason == "Fraudulent card"
    assert entitlements_compute(subscription).read_only
    [entry] = entries()
    assert entry.action == "subscription_suspend" and entry.details["reason"] == "Fraudulent card"


def test_reactivating_a_suspended_subscription_writes_one_entry(organization, operator):
    ends = organization.subscription.trial_ends_at
    subscription = services.operator_suspend(subscription=organization.subscription, actor=operator, reason="Chargeback")
    services.operator_reactivate(subscription=subscription, actor=operator)
    subscription.refresh_from_db()
    # Reactivating used to make a trial paid ("active"); lifting the hold now restores what billing says.
    assert (subscription.status, subscription.trial_ends_at, subscription.held_at) == ("trialing", ends, None)
    assert [e.action for e in entries()] == ["subscription_reactivate", "subscription_suspend"]


def test_lifting_a_suspension_in_the_console_writes_one_entry(organization, operator, operator_client):
    services.operator_suspend(subscription=organization.subscription, actor=operator, reason="Chargeback")
    url = reverse("admin:subscriptions_subscription_reactivate", args=[organization.subscription.pk])
    assert operator_client.post(url, {}).status_code == 302
    organization.subscription.refresh_from_db()
    assert (organization.subscription.status, organization.subscription.held_at) == ("trialing", None)
    assert [e.action for e in entries()] == ["subscription_reactivate", "subscription_suspend"]


def test_an_illegal_reactivation_is_an_error_on_status_and_writes_nothing(organization, operator_client):
    url = reverse("admin:subscriptions_subscription_reactivate", args=[organization.subscription.pk])
    response = operator_client.post(url, {})
    assert response.status_code == 200
    # There is no hold to lift: the refusal (ApplicationError "not_held" on "status") is shown on the form.
    assert "not suspended by an operator" in str(response.context["form"].non_field_errors())
    assert entries() == []


def test_giving_a_plan_free_in_the_console_writes_one_entry(organization, operator_client):
    subscription = organization.subscription
    url = reverse("admin:subscriptions_subscription_comp", args=[subscription.pk])
    assert "reason" in operator_client.post(url, {"tier": "enterprise", "reason": " "}).context["form"].errors
    assert entries() == []
    assert operator_client.post(url, {"tier": "enterprise", "reason": "Design partner"}).status_code == 302
    subscription.refresh_from_db()
    assert (subscription.comp_tier, subscription.status, subscription.mrr_cents) == ("enterprise", "trialing", 0)
    [entry] = entries()
    assert entry.action == "subscription_comp" and entry.details["tier"] == "enterprise"
    end = reverse("admin:subscriptions_subscription_end_comp", args=[subscription.pk])
    assert operator_client.post(end, {}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.comp_tier == ""
    assert [e.action for e in entries()] == ["subscription_end_comp", "subscription_comp"]


def test_changing_the_plan_of_a_workspace_stripe_does_not_bill_is_a_form_error(organization, operator_client):
    url = reverse("admin:subscriptions_subscription_change_plan", args=[organization.subscription.pk])
    form = {"tier": "starter", "billing_cycle": "monthly", **{f"add_on_{key}": 0 for key in catalog.ADD_ONS}}
    response = operator_client.post(url, form)
    assert response.status_code == 200
    assert "no subscription in Stripe" in str(response.context["form"].errors["tier"])
    organization.subscription.refresh_from_db()
    assert organization.subscription.tier == "professional"
    assert entries() == []


def test_the_audit_log_is_read_only_in_the_console(organization, operator, operator_client):
    services.organization_update(organization=organization, actor=operator, name="Renamed Works")
    entry = customer_audit().get()
    listing = operator_client.get(reverse("admin:platform_admin_auditentry_changelist"))
    assert b"Renamed Works" in listing.content
    assert operator_client.get(reverse("admin:platform_admin_auditentry_add")).status_code == 403
    change_url = reverse("admin:platform_admin_auditentry_change", args=[entry.pk])
    operator_client.post(change_url, {"action": "nothing"})
    assert operator_client.post(reverse("admin:platform_admin_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "organization_update"
