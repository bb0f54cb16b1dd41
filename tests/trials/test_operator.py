"""Operators answer requests for more trial days: in the console and under /api/v1/admin/trial-extensions.

Approving extends our own trial (a trial without a card; Stripe-run trials are in test_stripe.py) by the
days asked for or the operator's; declining changes nothing. Both are audited and e-mailed to the
owners once. A request answered already, or a workspace that left its trial, is refused with nothing
changed; a staff member who is not a superuser is refused everything.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.urls import reverse as _reverse

from platform_admin.models import AuditEntry
from subscriptions.models import Subscription, TrialExtensionRequest
from subscriptions.services import trial_extension_request_create
from tests.conftest import billed
from tests.signin import customer_audit
from unison.templatetags.dates import day

ADMIN_API = "/api/v1/admin/trial-extensions"
reverse = partial(_reverse, urlconf="unison.urls_public")


@pytest.fixture
def extension(organization, owner) -> TrialExtensionRequest:
    return trial_extension_request_create(organization=organization, user=owner, days=10,
                                          reason="Our plant manager is away")


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def trial_end(organization):
    return Subscription.objects.get(organization=organization).trial_ends_at


def test_operators_list_requests_by_status(operator_client, extension):
    listed = operator_client.get(f"{ADMIN_API}?status=pending").json()
    assert [(r["id"], r["organization_name"], r["days_requested"]) for r in listed["results"]] == [
        (extension.pk, extension.organization.name, 10)]
    assert operator_client.get(f"{ADMIN_API}?status=approved").json()["results"] == []
    bad = operator_client.get(f"{ADMIN_API}?status=maybe")
    assert bad.status_code == 400 and "status" in bad.json()


def test_approving_on_the_api_extends_the_trial_by_the_operators_days_audits_and_emails(
        operator_client, operator, extension, organization, owner, django_capture_on_commit_callbacks):
    before = trial_end(organization)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(operator_client, f"{ADMIN_API}/{extension.pk}/approve", {"days": 5})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["days_granted"] == 5
    assert trial_end(organization) == before + timedelta(days=5)
    actions = list(AuditEntry.objects.filter(organization_id=organization.pk).values_list("action", flat=True))
    assert sorted(actions) == ["subscription_extend_trial", "trial_extension_approve"]
    approval = AuditEntry.objects.get(action="trial_extension_approve")
    assert approval.actor_email == operator.email and approval.details["days"] == 5
    assert [(m.to, m.subject) for m in mail.outbox] == [([owner.email], "Your Unison trial is 5 days longer")]
    assert f"{day(trial_end(organization))}" in mail.outbox[0].body and "you asked for 10" in mail.outbox[0].body


def test_approving_without_days_grants_the_days_asked_for(operator_client, extension, organization):
    before = trial_end(organization)
    assert post(operator_client, f"{ADMIN_API}/{extension.pk}/approve").status_code == 200
    assert trial_end(organization) == before + timedelta(days=10)


def test_declining_changes_no_trial_audits_and_emails_the_note(
        operator_client, extension, organization, owner, django_capture_on_commit_callbacks):
    before = trial_end(organization)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(operator_client, f"{ADMIN_API}/{extension.pk}/decline", {"note": "Ten days is a lot."})
    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert trial_end(organization) == before
    assert AuditEntry.objects.get(action="trial_extension_decline").details["note"] == "Ten days is a lot."
    assert [m.subject for m in mail.outbox] == ["Your request for more trial days"]
    assert "Ten days is a lot." in mail.outbox[0].body


@pytest.mark.parametrize(("action", "body", "field"), [
    ("approve", {"days": 0}, "days"), ("approve", {"days": 31}, "days"), ("approve", {"days": "x"}, "days"),
    ("approve", {"weeks": 1}, "weeks"), ("decline", {"note": "x" * 501}, "note"),
])
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(operator_client, extension, organization, action,
                                                                 body, field):
    before = trial_end(organization)
    response = post(operator_client, f"{ADMIN_API}/{extension.pk}/{action}", body)
    assert response.status_code == 400 and field in response.json(), response.content
    extension.refresh_from_db()
    assert extension.status == "pending" and trial_end(organization) == before
    assert not customer_audit().exists()


def test_a_request_answered_already_is_refused_with_a_409(operator_client, extension, organization):
    assert post(operator_client, f"{ADMIN_API}/{extension.pk}/approve", {"days": 3}).status_code == 200
    after_first = trial_end(organization)
    for action in ("approve", "decline"):
        again = post(operator_client, f"{ADMIN_API}/{extension.pk}/{action}", {})
        assert again.status_code == 409 and again.json()["code"] == "already_decided" and "status" in again.json()
    assert trial_end(organization) == after_first
    assert AuditEntry.objects.filter(action="trial_extension_approve").count() == 1


def test_an_approval_after_the_trial_converted_extends_nothing(operator_client, extension, organization):
    billed(organization, tier="starter")
    before = Subscription.objects.get(organization=organization)
    response = post(operator_client, f"{ADMIN_API}/{extension.pk}/approve", {"days": 5})
    assert response.status_code == 409 and response.json()["code"] == "not_trialing"
    assert "no longer in its trial" in response.json()["detail"]
    after = Subscription.objects.get(organization=organization)
    assert (after.status, after.trial_ends_at, after.current_period_end) == (
        before.status, before.trial_ends_at, before.current_period_end)
    extension.refresh_from_db()
    assert extension.status == "pending" and not customer_audit().exists()
    assert post(operator_client, f"{ADMIN_API}/{extension.pk}/decline").status_code == 200


def test_an_unknown_request_is_a_404(operator_client):
    assert post(operator_client, f"{ADMIN_API}/999999/approve").status_code == 404


def test_staff_who_are_not_superusers_are_refused(staff_client, extension):
    assert staff_client.get(ADMIN_API).status_code == 403
    assert post(staff_client, f"{ADMIN_API}/{extension.pk}/approve").status_code == 403
    assert staff_client.get(reverse("admin:subscriptions_trialextensionrequest_approve",
                                    args=[extension.pk])).status_code == 302  # to the console's sign-in
    extension.refresh_from_db()
    assert extension.status == "pending"


def test_the_console_lists_the_request_and_approves_it_with_a_form(operator_client, extension, organization):
    dashboard = operator_client.get(reverse("admin:index")).content.decode()
    assert organization.name in dashboard.split('id="trial-requests"')[1].split("</table>")[0]
    listing = operator_client.get(reverse("admin:subscriptions_trialextensionrequest_changelist")).content.decode()
    assert "Our plant manager is away" in listing
    url = reverse("admin:subscriptions_trialextensionrequest_approve", args=[extension.pk])
    form = operator_client.get(url).content.decode()
    assert 'value="10"' in form and "Our plant manager is away" in form
    bad = operator_client.post(url, {"days": "40"})
    assert bad.status_code == 200 and "Ensure this value is less than or equal to 30" in bad.content.decode()
    before = trial_end(organization)
    assert operator_client.post(url, {"days": "7"}).status_code == 302
    assert trial_end(organization) == before + timedelta(days=7)
    refused = operator_client.post(url, {"days": "7"})
    assert "was approved already" in refused.content.decode()
    assert trial_end(organization) == before + timedelta(days=7)


def test_the_console_declines_with_a_note(operator_client, extension):
    url = reverse("admin:subscriptions_trialextensionrequest_decline", args=[extension.pk])
    assert operator_client.post(url, {"note": "Please choose a plan."}).status_code == 302
    extension.refresh_from_db()
    assert (extension.status, extension.decision_note) == ("declined", "Please choose a plan.")
    audit = operator_client.get(reverse("admin:platform_admin_auditentry_changelist")).content.decode()
    assert "Declined a trial extension request" in audit
