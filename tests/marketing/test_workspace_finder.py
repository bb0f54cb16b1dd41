"""The public sign-in and the workspace finder: an e-mail gets a message listing its workspaces,
and the page answers the same whether or not the address has an account."""

from __future__ import annotations

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from marketing.views import FIND_RATE_LIMITED
from tenants import selectors
from tests.conftest import tenant_user


def ask(email: str, *, address: str = "203.0.113.30"):
    client = Client(HTTP_HOST="localhost", REMOTE_ADDR=address)
    return client.post("/signin/find/", {"email": email})


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Return a function that asks for an e-mail's workspaces and runs what waits for the commit."""

    def run(email: str, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return ask(email, **kwargs)

    return run


@pytest.fixture
def two_workspaces(make_organization):
    """Ana has accounts in Acme and Birch, not in Cedar; return the three organisations."""
    acme, birch, cedar = (make_organization(name=name) for name in ("Acme Works", "Birch Foundry", "Cedar Mills"))
    for organization in (acme, birch):
        tenant_user(organization, email="ana@example.com")
    tenant_user(cedar, email="someone-else@example.com")
    return acme, birch, cedar


def test_an_address_gets_one_e_mail_with_a_sign_in_link_to_each_of_its_workspaces(sent, two_workspaces):
    acme, birch, cedar = two_workspaces
    response = sent("Ana@Example.com ")
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == ["ana@example.com"] and message.subject == "Your Unison workspaces"
    for organization in (acme, birch):
        assert f"{organization.url}accounts/login/" in message.body
        assert f"{organization.url}accounts/login/" in message.alternatives[0][0]
    assert cedar.url not in message.body and cedar.name not in message.body


def test_the_page_answers_the_same_for_an_address_with_no_account(sent, two_workspaces):
    known = html.unescape(sent("ana@example.com").content.decode())
    unknown_response = sent("nobody@example.com")
    unknown = html.unescape(unknown_response.content.decode())
    assert unknown_response.status_code == 200
    assert _without_csrf(unknown.replace("nobody@example.com", "ana@example.com")) == _without_csrf(known)
    none_found = mail.outbox[1]
    assert none_found.to == ["nobody@example.com"] and "We found none" in none_found.body
    assert "/signup/" in none_found.body


def _without_csrf(body: str) -> str:
    """Return the page without its CSRF tokens (64 letters and digits, new on each response)."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "<csrf>", body)


def test_a_deactivated_user_or_workspace_is_not_listed(sent, two_workspaces):
    from accounts.models import User

    acme, birch, _ = two_workspaces
    with schema_context(acme.schema_name):
        User.objects.filter(email="ana@example.com").update(is_active=False)
    birch.is_active = False
    birch.save(update_fields=["is_active"])
    sent("ana@example.com")
    assert "We found none" in mail.outbox[0].body


def test_the_lookup_reads_every_schema_in_one_statement_not_one_per_workspace(two_workspaces):
    with CaptureQueriesContext(connection) as queries:
        found = selectors.organizations_with_user(email="ana@example.com")
    assert [org.name for org in found] == ["Acme Works", "Birch Foundry"]
    selects = _selects(queries)
    assert len(selects) == 2  # the organisations, then one UNION ALL over their user tables
    assert selects[1].count("UNION ALL") == 2


def test_more_workspaces_than_one_statement_holds_are_read_in_statements_of_that_size(two_workspaces, monkeypatch):
    monkeypatch.setattr(selectors, "SCHEMAS_PER_QUERY", 2)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.organizations_with_user(email="ana@example.com")
    assert [org.name for org in found] == ["Acme Works", "Birch Foundry"]
    assert len(_selects(queries)) == 1 + 2


def _selects(queries) -> list[str]:
    """Return the statements that read rows (the connection may also set its search path)."""
    return [query["sql"] for query in queries if query["sql"].startswith("SELECT")]


def test_a_malformed_address_is_refused_next_to_the_field_and_kept(sent, db):
    response = sent("not-an-address")
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_email_error"' in body and "Enter a valid email address." in body
    assert 'value="not-an-address"' in body and 'aria-invalid="true"' in body
    assert not mail.outbox


def test_an_e_mail_is_answered_three_times_an_hour_from_any_network_the_same_whether_it_exists(sent, two_workspaces):
    for email in ("ana@example.com", "nobody@example.com"):
        for attempt in range(3):
            assert sent(email, address=f"198.51.100.{attempt}").status_code == 200
        refused = sent(email, address="192.0.2.99")
        assert refused.status_code == 429 and FIND_RATE_LIMITED in html.unescape(refused.content.decode())
    assert len(mail.outbox) == 6


def test_one_network_may_ask_about_twenty_addresses_an_hour(sent, db, settings):
    from django.conf import settings as live

    assert live.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["workspace_find"] == "20/hour"
    rest = settings.REST_FRAMEWORK
    settings.REST_FRAMEWORK = {**rest, "DEFAULT_THROTTLE_RATES": {**rest["DEFAULT_THROTTLE_RATES"], "workspace_find": "2/hour"}}
    assert [sent(f"person{n}@example.com").status_code for n in range(3)] == [200, 200, 429]
    assert len(mail.outbox) == 2


def test_the_sign_in_sends_a_workspace_address_to_its_own_sign_in_page(public_client, organization):
    for typed in (organization.slug.upper(), f" {organization.slug}.localhost "):
        response = public_client.post("/signin/", {"subdomain": typed})
        assert response.status_code == 302
        assert response["Location"] == f"{organization.url}accounts/login/"


def test_an_unknown_workspace_address_is_refused_next_to_the_field_with_the_finder_linked(public_client, db):
    response = public_client.post("/signin/", {"subdomain": "no-such-works"})
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert 'id="id_subdomain_error"' in body and "No workspace has this address" in body
    assert 'value="no-such-works"' in body and 'href="/signin/find/"' in body


@pytest.mark.parametrize("path", ["/", "/pricing/", "/signup/", "/signin/", "/signin/find/", "/terms/", "/privacy/", "/contact/"])
def test_every_public_page_links_sign_in_terms_privacy_and_contact(public_client, db, path):
    body = public_client.get(path).content.decode()
    for target in ("/signin/", "/terms/", "/privacy/", "/contact/"):
        assert f'href="http://localhost:8000{target}"' in body, (path, target)
    assert 'rel="icon" href="/static/img/favicon.svg"' in body
    assert '<meta property="og:image" content="http://localhost:8000/static/img/og-image.png">' in body


def test_the_contact_page_gives_an_address_to_write_to(public_client, db):
    body = public_client.get("/contact/").content.decode()
    assert 'href="mailto:hello@unison.local"' in body


def test_the_signup_industry_says_optional_once(public_client, db):
    body = public_client.get("/signup/").content.decode()
    field = body.split('id="field-industry"', 1)[1].split("</select>", 1)[0]
    assert field.count("(optional)") == 1 and '<option value="" selected>Choose your industry</option>' in field
