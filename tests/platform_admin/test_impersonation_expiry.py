"""Impersonation ends at its time, not after an idle gap; the banner counts down; writes name the operator."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from platform_admin.models import AuditEntry
from platform_admin.services import impersonations_close_expired
from shopfloor.models import NCR, Invitation
from tenants.hosts import public_origin
from tenants.models import LoginToken
from tests.conftest import client_for, tenant_user
from tests.platform_admin.test_impersonation import start, tenant_path
from tests.shopfloor.conftest import plan_set


@pytest.fixture
def clock():
    """Stop time at now (sessions made before stay valid); ``clock.shift(seconds)`` moves it."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def member(organization):
    return tenant_user(organization, role="member", email="mia@acme.example.com")


def impersonate(operator_client, organization, user, minutes: int = 5) -> Client:
    """Return a client on the organisation's host signed in as ``user`` by the operator."""
    tenant = Client(HTTP_HOST=organization.host)
    assert tenant.get(tenant_path(start(operator_client, organization, user, minutes=minutes)["Location"])).status_code == 302
    return tenant


def console_landing(organization) -> str:
    token = LoginToken.objects.filter(organization=organization).latest("pk")
    return f"{public_origin()}/admin/impersonate/ended/{token.pk}/"


def ends(**filters):
    return list(AuditEntry.objects.filter(action="impersonation_end", **filters))


def test_a_five_minute_session_is_signed_out_on_the_first_request_at_300_seconds(
    organization, member, operator_client, clock
):
    tenant = impersonate(operator_client, organization, member)
    clock.shift(240)
    assert tenant.get("/").status_code == 200
    # Any change to the session slides Django's own expiry by another 5 minutes (how 483 s happened).
    with schema_context(organization.schema_name):
        session = tenant.session
        session["seen"] = True
        session.save()
    clock.shift(59)
    assert tenant.get("/").status_code == 200
    clock.shift(1)
    ended = tenant.get("/")
    assert (ended.status_code, ended["Location"]) == (302, console_landing(organization))
    signed_out = tenant.get("/")
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    [entry] = ends()
    assert (entry.details["ended_by"], entry.details["user_email"]) == ("expired", member.email)


def test_an_api_call_after_the_end_answers_401_and_signs_out(organization, member, operator_client, clock):
    plan_set(organization, "enterprise")
    tenant = impersonate(operator_client, organization, member)
    assert tenant.get("/api/v1/plants").status_code == 200
    clock.shift(301)
    response = tenant.get("/api/v1/plants")
    assert response.status_code == 401
    assert response.json()["code"] == "impersonation_ended"
    assert tenant.get("/api/v1/plants").status_code in (401, 403)  # no session any more
    assert [e.details["ended_by"] for e in ends()] == ["expired"]


def test_an_htmx_request_after_the_end_is_sent_to_the_console_by_htmx(organization, member, operator_client, clock):
    tenant = impersonate(operator_client, organization, member)
    clock.shift(300)
    response = tenant.get("/ncrs/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == console_landing(organization)


def test_an_impersonating_session_without_an_end_time_ends_at_once(organization, member, operator_client):
    tenant = impersonate(operator_client, organization, member)
    with schema_context(organization.schema_name):
        session = tenant.session
        del session["impersonation_ends_at"]  # a session opened before end times were kept
        session.save()
    assert tenant.get("/")["Location"] == console_landing(organization)
    assert [e.details["ended_by"] for e in ends()] == ["expired"]


@pytest.mark.parametrize("sweep_first", [True, False])
def test_the_sweep_and_the_request_record_one_end_between_them(
    organization, member, operator_client, clock, sweep_first
):
    tenant = impersonate(operator_client, organization, member)
    clock.shift(300)
    if sweep_first:
        assert impersonations_close_expired() == 1
    assert tenant.get("/")["Location"] == console_landing(organization)
    assert impersonations_close_expired() == 0
    assert [e.details["ended_by"] for e in ends()] == ["expired"]


def test_the_banner_names_the_operator_and_shows_the_minutes_left(
    organization, member, operator, operator_client, clock
):
    tenant = impersonate(operator_client, organization, member)
    page = tenant.get("/").content.decode()
    assert f"Signed in as {member} by operator {operator.email}" in page
    assert "5 min left" in page
    clock.shift(150)
    assert "3 min left" in tenant.get("/").content.decode()
    clock.shift(100)
    assert "1 min left" in tenant.get("/").content.decode()


def test_end_impersonation_lands_the_operator_on_the_console(organization, member, operator_client):
    tenant = impersonate(operator_client, organization, member)
    response = tenant.post("/accounts/logout/")
    assert (response.status_code, response["Location"]) == (302, console_landing(organization))
    assert tenant.get("/").status_code == 302  # signed out
    landing = operator_client.get(tenant_path(response["Location"]), follow=True)
    assert landing.redirect_chain[-1][0] == "/admin/"
    assert f"Your impersonation of {member.email} in {organization.name} is over: you ended it." in landing.content.decode()
    assert [e.details["ended_by"] for e in ends()] == ["sign_out"]
    assert not AuditEntry.objects.filter(action="impersonated_write").exists()  # the sign-out is the end, not a write


def test_the_console_says_when_the_time_ran_out(organization, member, operator_client, clock):
    tenant = impersonate(operator_client, organization, member)
    clock.shift(600)
    landing = operator_client.get(tenant_path(tenant.get("/")["Location"]), follow=True)
    assert "is over: its time ran out." in landing.content.decode()


@pytest.fixture
def material(organization):
    from shopfloor import services

    with schema_context(organization.schema_name):
        return services.material_create(sku="STL-2", name="Steel sheet", quantity_on_hand=Decimal(5))


def ncr_form(material) -> dict:
    return {"material": material.pk, "severity": "minor", "description": "Scratched edges"}


def test_an_ncr_written_while_impersonating_is_audited_and_shows_the_operator(
    organization, member, material, operator, operator_client
):
    tenant = impersonate(operator_client, organization, member)
    assert tenant.post("/ncrs/new/", ncr_form(material)).status_code == 302
    [entry] = AuditEntry.objects.filter(action="impersonated_write")
    assert (entry.actor_email, entry.actor_id, entry.organization_id) == (operator.email, operator.pk, organization.pk)
    token_id = AuditEntry.objects.get(action="impersonation_start").details["token_id"]
    assert entry.details == {
        "method": "POST", "path": "/ncrs/new/", "status": 302, "user_email": member.email, "token_id": token_id}
    with schema_context(organization.schema_name):
        ncr = NCR.objects.get()
    assert (ncr.reported_by_id, ncr.impersonated_by) == (member.pk, operator.email)
    detail = tenant.get(f"/ncrs/{ncr.pk}/").content.decode()
    assert f"by {member} (by operator {operator.email})" in detail


def test_an_api_write_while_impersonating_is_audited_with_its_status(organization, member, material, operator_client):
    plan_set(organization, "enterprise")
    tenant = impersonate(operator_client, organization, member)
    body = {"material": material.pk, "description": "Bent", "severity": "major"}
    assert tenant.post("/api/v1/ncrs", body, content_type="application/json").status_code == 201
    [entry] = AuditEntry.objects.filter(action="impersonated_write")
    assert (entry.details["path"], entry.details["status"]) == ("/api/v1/ncrs", 201)
    with schema_context(organization.schema_name):
        assert NCR.objects.get().impersonated_by == "operator@unison.test"


def test_refused_writes_and_reads_while_impersonating_are_not_audited_as_writes(
    organization, member, material, operator_client
):
    tenant = impersonate(operator_client, organization, member)
    assert tenant.get("/ncrs/").status_code == 200
    assert tenant.post("/ncrs/999999/edit/", ncr_form(material)).status_code == 404
    assert not AuditEntry.objects.filter(action="impersonated_write").exists()


def test_a_write_by_the_user_themselves_is_not_audited(organization, member, material):
    assert client_for(organization, member).post("/ncrs/new/", ncr_form(material)).status_code == 302
    assert not AuditEntry.objects.exists()
    with schema_context(organization.schema_name):
        assert NCR.objects.get().impersonated_by == ""


def test_an_outsider_cannot_use_another_workspaces_impersonation(
    organization, other_organization, member, outsider, operator_client
):
    url = start(operator_client, organization, member)["Location"]
    stranger = client_for(other_organization, outsider)
    assert stranger.get(tenant_path(url)).status_code == 403
    with schema_context(other_organization.schema_name):
        assert "impersonator" not in stranger.session
    assert "Signed in as" not in stranger.get("/").content.decode()
    # The refused attempt did not spend the link: on its own host it still opens the session.
    tenant = Client(HTTP_HOST=organization.host)
    assert tenant.get(tenant_path(url)).status_code == 302
    # And that session's cookie signs nobody in on the other workspace's host.
    elsewhere = Client(HTTP_HOST=other_organization.host)
    elsewhere.cookies = tenant.cookies
    assert elsewhere.get("/").status_code == 302
    assert elsewhere.post("/ncrs/new/", {"description": "x"}).status_code == 302
    assert not AuditEntry.objects.filter(action="impersonated_write").exists()


def test_an_invitation_sent_while_impersonating_names_the_operator(organization, owner, operator, operator_client):
    tenant = impersonate(operator_client, organization, owner)
    assert tenant.post("/team/", {"emails": "ivy@acme.example.com", "role": "member"}).status_code == 302
    with schema_context(organization.schema_name):
        invitation = Invitation.objects.get()
    assert (invitation.invited_by_id, invitation.impersonated_by) == (owner.pk, operator.email)
    assert f"(sent by operator {operator.email})" in tenant.get("/team/").content.decode()
    [entry] = AuditEntry.objects.filter(action="impersonated_write")
    assert (entry.actor_email, entry.details["path"]) == (operator.email, "/team/")


def test_an_invitation_the_owner_sends_names_no_operator(organization, owner):
    client = client_for(organization, owner)
    assert client.post("/team/", {"emails": "ivy@acme.example.com", "role": "member"}).status_code == 302
    with schema_context(organization.schema_name):
        assert Invitation.objects.get().impersonated_by == ""
    assert "sent by operator" not in client.get("/team/").content.decode()
