"""A trialing owner asks for more trial days, once, with a reason: the page (from the trial banner) and
``/api/v1/trial-extension``. Members cannot ask, a workspace out of its trial cannot, and bad input is
refused next to its field (page) or with a 400 naming it (API). Another tenant's request is in the
cross-tenant URL table (tests/security/test_tenant_isolation.py); here its owner sees only their own."""

from __future__ import annotations

import pytest

from subscriptions.models import TrialExtensionRequest
from tests.conftest import billed, client_for

PAGE = "/subscription/trial-extension/"
API = "/api/v1/trial-extension"


def ask(client, days=7, reason="Our plant manager is away until the 20th."):
    return client.post(API, {"days": days, "reason": reason}, content_type="application/json")


def test_the_trial_banner_links_owners_to_the_request_and_not_members(organization, owner, teammate):
    assert 'data-action="more-trial-days"' in client_for(organization, owner).get(PAGE).content.decode()
    assert 'data-action="more-trial-days"' not in client_for(organization, teammate).get(PAGE).content.decode()


def test_an_owner_asks_on_the_page_once_and_then_sees_the_request(organization, owner):
    client = client_for(organization, owner)
    page = client.get(PAGE).content.decode()
    assert 'name="days"' in page and 'name="reason"' in page
    response = client.post(PAGE, {"days": "10", "reason": "  Waiting for our ERP export  "})
    assert response.status_code == 302
    request = TrialExtensionRequest.objects.get(organization=organization)
    assert (request.days_requested, request.reason, request.status) == (10, "Waiting for our ERP export", "pending")
    assert (request.requested_by_email, request.trial_ends_at) == (owner.email, organization.subscription.trial_ends_at)
    page = client.get(PAGE).content.decode()
    assert 'data-extension-status="pending"' in page and "Waiting for our ERP export" in page
    assert 'name="reason"' not in page


def test_a_second_request_gets_a_clear_message_on_the_page_and_a_400_naming_days_on_the_api(organization, owner):
    client = client_for(organization, owner)
    assert ask(client).status_code == 201
    response = client.post(PAGE, {"days": "5", "reason": "Again"})
    assert response.status_code == 400
    assert "You already asked for more trial days" in response.content.decode()
    again = ask(client, days=5, reason="Again")
    assert again.status_code == 400
    body = again.json()
    assert body["code"] == "trial_extension_already_requested" and "once" in body["days"][0]
    assert TrialExtensionRequest.objects.filter(organization=organization).count() == 1


@pytest.mark.parametrize(("days", "reason", "field"), [
    (0, "Need time", "days"), (31, "Need time", "days"), ("many", "Need time", "days"), (None, "Need time", "days"),
    (7, "", "reason"), (7, "   ", "reason"), (7, "x" * 501, "reason"),
])
def test_bad_input_is_a_400_naming_the_field_and_nothing_is_recorded(organization, owner, days, reason, field):
    response = ask(client_for(organization, owner), days=days, reason=reason)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not TrialExtensionRequest.objects.exists()


def test_an_unknown_field_is_refused_by_name(organization, owner):
    response = client_for(organization, owner).post(API, {"days": 3, "reason": "x", "status": "approved"},
                                                    content_type="application/json")
    assert response.status_code == 400 and response.json()["status"] == ["Unknown field."]


def test_bad_input_on_the_page_shows_next_to_its_field_and_keeps_what_was_typed(organization, owner):
    response = client_for(organization, owner).post(PAGE, {"days": "45", "reason": "Our auditor needs a week"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="field-days"' in page and "has-error" in page.split('id="field-days"')[0].rsplit("<div", 1)[1]
    assert "Our auditor needs a week" in page
    assert not TrialExtensionRequest.objects.exists()


def test_a_member_cannot_ask(organization, teammate):
    client = client_for(organization, teammate)
    assert "Only an owner of the workspace can ask" in client.get(PAGE).content.decode()
    response = ask(client)
    assert response.status_code == 403 and response.json()["code"] == "owner_only"
    assert client.get(API).json()["can_request"] is False
    assert not TrialExtensionRequest.objects.exists()


def test_a_workspace_that_pays_cannot_ask(organization, owner):
    billed(organization, tier="starter")
    client = client_for(organization, owner)
    response = ask(client)
    assert response.status_code == 409 and response.json()["code"] == "not_trialing"
    assert "status" in response.json()
    assert "Only a workspace in its trial can ask" in client.get(PAGE).content.decode()
    assert client.get(API).json() == {"can_request": False, "request": None,
                                      "unavailable_reason": "Only a workspace in its trial can ask for more trial days."}


def test_the_api_reads_the_request_and_another_tenants_owner_sees_only_their_own(
        organization, owner, other_organization, outsider):
    client = client_for(organization, owner)
    assert client.get(API).json() == {"can_request": True, "unavailable_reason": None, "request": None}
    created = ask(client, days=4, reason="Victim's reason")
    assert created.status_code == 201
    state = created.json()
    assert state["can_request"] is False and state["request"]["days_requested"] == 4
    assert state["request"]["status"] == "pending"
    theirs = client_for(other_organization, outsider).get(API).json()
    assert theirs == {"can_request": True, "unavailable_reason": None, "request": None}
    # The outsider's session on the victim's host is not a session there.
    stray = client_for(other_organization, outsider)
    stray.defaults["HTTP_HOST"] = organization.host
    assert stray.get(API).status_code in (401, 403)
    assert ask(stray).status_code in (401, 403)
    assert TrialExtensionRequest.objects.count() == 1
