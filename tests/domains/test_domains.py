"""Custom domains: claim a host, see its DNS record, verify it, then the workspace is served there too."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from domains.models import CustomDomain, Status
from platform_admin.models import AuditEntry
from tenants.models import Domain
from tests.conftest import PASSWORD, client_for, tenant_user
from tests.domains.conftest import verified_domain
from tests.shopfloor.conftest import plan_set

HOST = "mes.example.com"


def _csrf(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_an_owner_adds_a_host_verifies_it_and_the_workspace_answers_there(enterprise, owner, dns):
    client = client_for(enterprise, owner)
    assert Client(HTTP_HOST=HOST).get("/accounts/login/").status_code == 400  # not ours yet: Django's bad host
    response = client.post("/settings/domains/", {"host": " MES.Example.com. "})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CustomDomain.objects.get(organization=enterprise)
    assert (row.host, row.status, len(row.token)) == (HOST, Status.PENDING, 32)
    page = client.get("/settings/domains/").content.decode()
    assert "_unison-challenge.mes.example.com" in page and ">TXT<" in page and row.token in page
    assert Client(HTTP_HOST=HOST).get("/accounts/login/").status_code == 400  # a pending claim is not served

    dns.RECORDS["_unison-challenge.mes.example.com"] = [row.token]
    response = client.post(f"/settings/domains/{row.pk}/verify/", follow=True)
    assert "mes.example.com is verified" in response.content.decode()
    row.refresh_from_db()
    assert row.status == Status.VERIFIED and row.verified_at and row.last_error == ""
    assert Domain.objects.filter(domain=HOST, tenant=enterprise, is_primary=False).exists()
    assert AuditEntry.objects.filter(organization_id=enterprise.pk, action="custom_domain_verify").exists()

    # A person on the custom host: the sign-in form, its CSRF token and cookie, the session, a form POST.
    browser = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
    login = browser.get("/accounts/login/")
    assert login.status_code == 200 and login.cookies["csrftoken"]["domain"] == ""  # host-only
    response = browser.post(
        "/accounts/login/",
        {"username": owner.email, "password": PASSWORD, "csrfmiddlewaretoken": _csrf(login)},
        HTTP_ORIGIN=f"http://{HOST}",
    )
    assert response.status_code == 302 and response["Location"] == "/", response.content.decode()[:1000]
    assert browser.cookies["sessionid"]["domain"] == ""
    signed_in = browser.get("/plants/")
    assert signed_in.status_code == 200 and "Acme Works" in signed_in.content.decode()
    page = browser.get("/settings/domains/")
    assert "You are here" in page.content.decode()
    response = browser.post(
        "/settings/domains/",
        {"host": "quality.example.com", "csrfmiddlewaretoken": _csrf(page)},
        HTTP_ORIGIN=f"http://{HOST}",
    )
    assert response.status_code == 302
    assert CustomDomain.objects.filter(organization=enterprise, host="quality.example.com").exists()
    # The same POST from another site's page is refused by CSRF's origin check.
    forged = browser.post(
        "/settings/domains/",
        {"host": "forged.example.com", "csrfmiddlewaretoken": _csrf(page)},
        HTTP_ORIGIN="http://evil.example.net",
    )
    assert forged.status_code == 403
    assert not CustomDomain.objects.filter(host="forged.example.com").exists()


def test_a_password_reset_asked_on_the_custom_host_links_to_that_host(enterprise, owner):
    verified_domain(enterprise, HOST)
    response = Client(HTTP_HOST=HOST).post("/accounts/password-reset/", {"email": owner.email})
    assert response.status_code == 302, response.content.decode()[:500]
    [message] = mail.outbox
    assert re.search(rf"http://{re.escape(HOST)}(:8000)?/accounts/reset/", message.body), message.body
    assert enterprise.host not in message.body


def test_removing_a_host_stops_serving_the_workspace_there_at_once(enterprise, owner):
    row = verified_domain(enterprise, HOST)
    assert Client(HTTP_HOST=HOST).get("/accounts/login/").status_code == 200  # cached as served
    response = client_for(enterprise, owner).delete(f"/api/v1/domains/{row.pk}")
    assert response.status_code == 204
    assert not Domain.objects.filter(domain=HOST).exists() and not CustomDomain.objects.filter(pk=row.pk).exists()
    assert Client(HTTP_HOST=HOST).get("/accounts/login/").status_code == 400
    assert AuditEntry.objects.filter(organization_id=enterprise.pk, action="custom_domain_remove").exists()
    assert Domain.objects.filter(tenant=enterprise, is_primary=True).exists()  # the subdomain stays


def test_the_api_lists_claims_with_the_record_to_create_and_verifies_them(enterprise, owner, dns):
    client = client_for(enterprise, owner)
    response = client.post("/api/v1/domains", {"host": HOST}, content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "pending" and created["record"] == {
        "name": "_unison-challenge.mes.example.com",
        "type": "TXT",
        "value": CustomDomain.objects.get().token,
    }
    answer = client.post(f"/api/v1/domains/{created['id']}/verify").json()
    assert answer["status"] == "failed" and "No TXT record _unison-challenge.mes.example.com" in answer["last_error"]
    dns.NOT_ANSWERING.add("_unison-challenge.mes.example.com")
    answer = client.post(f"/api/v1/domains/{created['id']}/verify").json()
    assert answer["status"] == "failed" and "did not answer" in answer["last_error"]
    dns.NOT_ANSWERING.clear()
    dns.RECORDS["_unison-challenge.mes.example.com"] = [created["record"]["value"]]
    answer = client.post(f"/api/v1/domains/{created['id']}/verify").json()
    assert answer["status"] == "verified" and answer["last_error"] == ""
    assert [row["host"] for row in client.get("/api/v1/domains").json()] == [HOST]
    assert client.post(f"/api/v1/domains/{created['id']}/verify").json()["status"] == "verified"  # again: the same


@pytest.mark.parametrize(
    "host, says",
    [
        ("https://mes.example.com", "without http://"),
        ("mes.example.com:8443", "without a port or a path"),
        ("mes.example.com/app", "without a port or a path"),
        ("192.168.1.20", "An IP address"),
        ("::1", "without a port"),
        ("mes_example.com", "letters, digits and hyphens"),
        ("-mes.example.com", "letters, digits and hyphens"),
        ("localhost2", "letters, digits and hyphens"),
        ("a" * 64 + ".example.com", "letters, digits and hyphens"),
        ("", "Give the host name"),
        ("xn--.example.com", "letters, digits and hyphens"),
    ],
)
def test_a_bad_host_is_refused_naming_the_field(enterprise, owner, host, says):
    client = client_for(enterprise, owner)
    if host:  # the form's "required" answers a blank one before the service
        response = client.post("/api/v1/domains", {"host": host}, content_type="application/json")
        assert response.status_code == 400 and "host" in response.json(), response.content
    page = client.post("/settings/domains/", {"host": host})
    assert page.status_code == 400
    errors = page.content.decode()
    assert says in errors or "This field is required" in errors
    assert not CustomDomain.objects.exists()


def test_an_international_name_is_stored_as_idna(enterprise, owner):
    response = client_for(enterprise, owner).post("/settings/domains/", {"host": "mes.bücher.example"})
    assert response.status_code == 302
    assert CustomDomain.objects.get().host == "mes.xn--bcher-kva.example"


def test_a_host_of_ours_is_refused_with_a_conflict(enterprise, owner, other_organization):
    client = client_for(enterprise, owner)
    for host in ("localhost", other_organization.host, f"deep.{enterprise.host}"):
        response = client.post("/api/v1/domains", {"host": host}, content_type="application/json")
        assert response.status_code in (400, 409) and "host" in response.json(), (host, response.content)
    response = client.post("/api/v1/domains", {"host": other_organization.host}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (409, "host_reserved")
    assert not CustomDomain.objects.exists()


def test_a_host_another_workspace_serves_is_refused_with_409_and_an_audit_entry(enterprise, owner, other_organization):
    verified_domain(other_organization, HOST)
    plan_set(enterprise, "enterprise")
    client = client_for(enterprise, owner)
    response = client.post("/api/v1/domains", {"host": HOST}, content_type="application/json")
    assert response.status_code == 409
    assert (
        response.json()["code"] == "host_taken"
        and "Another workspace already uses this host" in response.json()["host"][0]
    )
    page = client.post("/settings/domains/", {"host": "MES.example.com"})
    assert page.status_code == 400 and "Another workspace already uses this host" in page.content.decode()
    refused = AuditEntry.objects.filter(organization_id=enterprise.pk, action="custom_domain_refused")
    assert refused.count() == 2 and refused.first().details["held_by"] == other_organization.pk
    assert not CustomDomain.objects.filter(organization=enterprise).exists()


def test_a_pending_claim_blocks_nobody_and_the_first_to_verify_wins(enterprise, owner, other_organization, dns):
    from domains.services import custom_domain_add, custom_domain_verify

    plan_set(other_organization, "enterprise")
    squatter = custom_domain_add(organization=other_organization, host=HOST, actor_email="squatter@example.com")
    mine = custom_domain_add(organization=enterprise, host=HOST, actor_email=owner.email)
    dns.RECORDS[mine.record_name] = [mine.token]
    assert (
        custom_domain_verify(organization=enterprise, domain_id=mine.pk, actor_email=owner.email).status == "verified"
    )
    response = client_for(other_organization, tenant_user(other_organization, role="owner")).post(
        f"/api/v1/domains/{squatter.pk}/verify"
    )
    assert (response.status_code, response.json().get("code")) == (409, "host_taken"), (
        response.content
    )  # its token is not there anyway
    squatter.refresh_from_db()
    assert squatter.status == "failed"
    assert AuditEntry.objects.filter(organization_id=other_organization.pk, action="custom_domain_refused").exists()
    assert Domain.objects.get(domain=HOST).tenant_id == enterprise.pk


def test_a_workspace_claims_at_most_five_hosts_and_each_once(enterprise, owner):
    client = client_for(enterprise, owner)
    for number in range(5):
        assert (
            client.post(
                "/api/v1/domains", {"host": f"h{number}.example.com"}, content_type="application/json"
            ).status_code
            == 201
        )
    again = client.post("/api/v1/domains", {"host": "h1.example.com"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "host_claimed")
    sixth = client.post("/api/v1/domains", {"host": "h5.example.com"}, content_type="application/json")
    assert (sixth.status_code, sixth.json()["code"]) == (409, "domain_limit") and "host" in sixth.json()


def test_a_plan_without_custom_domains_is_refused_but_may_remove_one(organization, owner):
    plan_set(organization, "enterprise")
    row = verified_domain(organization, HOST)
    plan_set(organization, "professional")
    client = client_for(organization, owner)
    response = client.post("/api/v1/domains", {"host": "other.example.com"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "feature_not_in_plan")
    assert client.post(f"/api/v1/domains/{row.pk}/verify").status_code == 403
    page = client.get("/settings/domains/").content.decode()
    assert "Custom domains come with the Enterprise plan" in page and 'name="host"' not in page
    assert client.post("/settings/domains/", {"host": "other.example.com"}).status_code == 200
    assert CustomDomain.objects.filter(organization=organization).count() == 1
    assert client.delete(f"/api/v1/domains/{row.pk}").status_code == 204


@pytest.mark.parametrize("role", ["admin", "member"])
def test_only_the_owner_manages_custom_domains(enterprise, role):
    row = verified_domain(enterprise, HOST)
    client = client_for(enterprise, tenant_user(enterprise, role=role))
    assert client.get("/settings/domains/").status_code == 403
    assert client.post("/settings/domains/", {"host": "x.example.com"}).status_code == 403
    assert client.post(f"/settings/domains/{row.pk}/remove/").status_code == 403
    for method, url in (
        ("get", "/api/v1/domains"),
        ("post", "/api/v1/domains"),
        ("delete", f"/api/v1/domains/{row.pk}"),
        ("post", f"/api/v1/domains/{row.pk}/verify"),
    ):
        response = getattr(client, method)(
            url, {"host": "x.example.com"} if method == "post" else None, content_type="application/json"
        )
        assert (response.status_code, response.json()["code"]) == (403, "owner_only"), (method, url)
    assert CustomDomain.objects.filter(organization=enterprise).count() == 1


def test_another_workspaces_owner_can_neither_see_nor_remove_the_domain(
    enterprise, owner, other_organization, outsider
):
    row = verified_domain(enterprise, HOST)
    plan_set(other_organization, "enterprise")
    theirs = client_for(other_organization, outsider)
    assert theirs.get("/api/v1/domains").json() == []
    assert HOST not in theirs.get("/settings/domains/").content.decode()
    assert theirs.delete(f"/api/v1/domains/{row.pk}").status_code == 404
    assert theirs.post(f"/api/v1/domains/{row.pk}/verify").status_code == 404
    assert theirs.post(f"/settings/domains/{row.pk}/remove/").status_code == 302  # "no such domain" message
    assert theirs.post(f"/settings/domains/{row.pk}/verify/").status_code == 302
    row.refresh_from_db()
    assert row.status == "verified" and Domain.objects.filter(domain=HOST, tenant=enterprise).exists()
    # The outsider's session, sent to the victim's custom host, signs nobody in there.
    theirs.defaults["HTTP_HOST"] = HOST
    response = theirs.get("/settings/domains/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert theirs.get("/api/v1/domains").status_code in (401, 403)


def test_after_a_downgrade_the_custom_host_sends_people_to_the_workspaces_own_address(enterprise, owner):
    verified_domain(enterprise, HOST)
    served = Client(HTTP_HOST=HOST)
    assert served.get("/accounts/login/").status_code == 200

    plan_set(enterprise, "professional")
    response = Client(HTTP_HOST=HOST).get("/accounts/login/?next=/plants/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.split("/")[2].split(":")[0] == enterprise.host and location.endswith("/accounts/login/?next=/plants/")
    refused = Client(HTTP_HOST=HOST).post("/accounts/login/", {"username": owner.email, "password": PASSWORD})
    assert refused.status_code == 403 and refused.json()["code"] == "custom_domain_not_in_plan"
    assert client_for(enterprise, owner).get("/plants/").status_code == 200  # its own address is unaffected
    assert Domain.objects.filter(domain=HOST).exists()  # still claimed: an upgrade serves it again

    plan_set(enterprise, "enterprise")
    assert Client(HTTP_HOST=HOST).get("/accounts/login/").status_code == 200
