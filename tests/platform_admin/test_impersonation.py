"""Impersonation from the console: one-time link, banner on the tenant host, start and end audited."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from urllib.parse import urlparse

from django.test import Client
from django.urls import reverse as _reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_tenants.utils import schema_context

from platform_admin.models import AuditEntry
from platform_admin.services import impersonations_close_expired
from tenants.models import LoginToken
from tests.conftest import tenant_user
from tests.signin import customer_audit

reverse = partial(_reverse, urlconf="unison.urls_public")


def start(operator_client, organization, user, **overrides):
    form = {"organization": organization.pk, "user": user.pk, "minutes": 15, "reason": "Ticket 7: cannot see plant", **overrides}
    return operator_client.post(reverse("admin:impersonate"), form)


def tenant_path(url: str) -> str:
    return urlparse(url).path


def test_the_form_lists_the_chosen_organizations_users_only(organization, other_organization, outsider, operator_client):
    member = tenant_user(organization, role="member")
    page = operator_client.get(f"{reverse('admin:impersonate')}?organization={organization.pk}")
    choices = dict(page.context["form"].fields["user"].choices)
    assert member.pk in choices and any(member.email in label for label in choices.values())
    assert not any(outsider.email in str(label) for label in choices.values())


def test_impersonating_opens_the_tenant_host_signed_in_with_a_banner(organization, operator, operator_client):
    member = tenant_user(organization, role="member")
    response = start(operator_client, organization, member)
    assert response.status_code == 302
    url = response["Location"]
    assert urlparse(url).hostname == organization.host
    tenant = Client(HTTP_HOST=organization.host)
    signed_in = tenant.get(tenant_path(url))
    assert signed_in.status_code == 302
    home = tenant.get("/")
    assert home.status_code == 200
    assert f"Signed in as {member} by operator {operator.email}".encode() in home.content
    assert b"15 min left" in home.content and b"End impersonation" in home.content
    # The session ends when the minutes chosen run out from the moment the link was opened.
    token = LoginToken.objects.get()
    with schema_context(organization.schema_name):
        ends_at = parse_datetime(tenant.session["impersonation_ends_at"])
    assert ends_at == token.used_at + timedelta(minutes=15)
    [entry] = customer_audit().all()
    assert entry.action == "impersonation_start"
    assert (entry.details["user_email"], entry.details["minutes"]) == (member.email, 15)


def test_the_link_works_once(organization, operator_client):
    member = tenant_user(organization, role="member")
    url = start(operator_client, organization, member)["Location"]
    assert Client(HTTP_HOST=organization.host).get(tenant_path(url)).status_code == 302
    again = Client(HTTP_HOST=organization.host).get(tenant_path(url))
    assert again.status_code == 403
    assert b"already been used" in again.content


def test_the_link_expires(organization, operator_client):
    member = tenant_user(organization, role="member")
    url = start(operator_client, organization, member)["Location"]
    LoginToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client(HTTP_HOST=organization.host).get(tenant_path(url)).status_code == 403


def test_the_link_is_worthless_on_another_organizations_host(organization, other_organization, operator_client):
    member = tenant_user(organization, role="member")
    url = start(operator_client, organization, member)["Location"]
    assert Client(HTTP_HOST=other_organization.host).get(tenant_path(url)).status_code == 403


def test_ending_the_impersonation_is_audited_once(organization, operator, operator_client):
    member = tenant_user(organization, role="member")
    url = start(operator_client, organization, member)["Location"]
    tenant = Client(HTTP_HOST=organization.host)
    tenant.get(tenant_path(url))
    assert tenant.post("/accounts/logout/")["Location"].endswith(f"/admin/impersonate/ended/{LoginToken.objects.get().pk}/")
    assert tenant.get("/").status_code in (302, 403)  # signed out
    ended = customer_audit().get(action="impersonation_end")
    started = customer_audit().get(action="impersonation_start")
    assert ended.details["token_id"] == started.details["token_id"]
    assert (ended.actor_email, ended.actor_id, ended.organization_id) == (operator.email, operator.pk, organization.pk)
    assert customer_audit().count() == 2


def test_an_ordinary_sign_out_writes_no_audit_entry(organization, owner):
    from tests.conftest import client_for

    client_for(organization, owner).post("/accounts/logout/")
    assert not customer_audit().exists()


def test_bad_durations_and_missing_reasons_are_form_errors(organization, operator_client):
    member = tenant_user(organization, role="member")
    for overrides, field in (({"minutes": 4}, "minutes"), ({"minutes": 241}, "minutes"), ({"reason": ""}, "reason")):
        response = start(operator_client, organization, member, **overrides)
        assert response.status_code == 200
        assert field in response.context["form"].errors
    assert not customer_audit().exists()
    assert not LoginToken.objects.exists()


def test_a_user_id_that_is_not_in_the_organization_is_refused(organization, operator_client):
    response = operator_client.post(
        reverse("admin:impersonate"), {"organization": organization.pk, "user": 999999, "minutes": 15, "reason": "x"}
    )
    assert response.status_code == 200
    assert "user" in response.context["form"].errors
    assert not customer_audit().exists()


def test_a_session_that_times_out_gets_its_end_audited_once(organization, operator_client):
    from platform_admin.tasks import close_expired_impersonations_task

    member = tenant_user(organization, role="member")
    unused = start(operator_client, organization, member)["Location"]  # never opened: no session, no end
    url = start(operator_client, organization, member)["Location"]
    Client(HTTP_HOST=organization.host).get(tenant_path(url))
    assert unused != url
    assert close_expired_impersonations_task() == 0  # the 15 minutes are still running
    later = timezone.now() + timedelta(minutes=16)
    assert impersonations_close_expired(now=later) == 1
    assert impersonations_close_expired(now=later) == 0
    ended = customer_audit().get(action="impersonation_end")
    assert (ended.details["ended_by"], ended.details["user_email"]) == ("expired", member.email)


def test_a_signed_out_session_is_not_closed_again_when_it_would_have_expired(organization, operator_client):
    member = tenant_user(organization, role="member")
    tenant = Client(HTTP_HOST=organization.host)
    tenant.get(tenant_path(start(operator_client, organization, member)["Location"]))
    tenant.post("/accounts/logout/")
    assert impersonations_close_expired(now=timezone.now() + timedelta(hours=5)) == 0
    assert AuditEntry.objects.filter(action="impersonation_end").count() == 1
