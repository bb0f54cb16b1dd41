"""Signing up through the form and the API: workspaces, field errors, availability, rate limits."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import LoginToken, Organization
from tests.conftest import PASSWORD, unique_slug


def form_data(**overrides) -> dict:
    slug = overrides.pop("subdomain", None) or unique_slug("signup")
    data = {
        "organization_name": "Northwind Fabrication",
        "subdomain": slug,
        "full_name": "Nora North",
        "email": f"nora@{slug}.example.com",
        "password": PASSWORD,
        "industry": "metal_fabrication",
    }
    return data | overrides


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def client_on(host: str) -> Client:
    return Client(HTTP_HOST=host)


def signed_in_email(client: Client, organization: Organization) -> str | None:
    """Return the e-mail of the user the client's session on the organisation's host belongs to."""
    with schema_context(organization.schema_name):
        user_id = client.session.get("_auth_user_id")
        return User.objects.get(pk=user_id).email if user_id else None


# The form


def test_the_signup_form_labels_every_field(db, public_client):
    body = public_client.get("/signup/").content.decode()
    for name in ("organization_name", "subdomain", "full_name", "email", "password", "industry"):
        assert f'<label for="id_{name}">' in body
        assert f'id="id_{name}"' in body
    assert 'hx-get="/signup/check-subdomain"' in body


def test_signing_up_creates_the_workspace_with_its_trial_and_signs_the_owner_in(db, public_client):
    data = form_data()
    response = public_client.post("/signup/", data)
    organization = Organization.objects.get(slug=data["subdomain"])
    assert response.status_code == 302
    assert response["Location"].startswith(f"http://{organization.host}:8000/accounts/token/")
    assert organization.name == "Northwind Fabrication" and organization.industry == "metal_fabrication"
    assert organization.subscription.status == "trialing" and organization.subscription.tier == "professional"
    with schema_context(organization.schema_name):
        owner = User.objects.get()
        assert (owner.email, owner.full_name, owner.role) == (data["email"], "Nora North", "owner")
        assert owner.check_password(PASSWORD)

    tenant = client_on(organization.host)
    landed = tenant.get(response["Location"])
    assert (landed.status_code, landed["Location"]) == (302, "/")
    assert signed_in_email(tenant, organization) == data["email"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subdomain", "admin", "This subdomain is reserved"),
        ("subdomain", "Bad_Name!", "Use lowercase letters, digits and hyphens only"),
        ("subdomain", "ab", "Use between 3 and 40 characters"),
        ("password", "password", "This password is too common"),
        ("password", "short", "This password is too short"),
        ("email", "not-an-address", "Enter a valid e-mail address"),
        ("organization_name", "", "This field is required"),
        ("full_name", "   ", "This field is required"),
        ("industry", "astrology", "Select a valid choice"),
    ],
)
def test_a_bad_field_gets_its_message_and_nothing_is_created(db, public_client, field, value, message):
    data = form_data(**{field: value})
    before = (Organization.objects.count(), LoginToken.objects.count())
    response = public_client.post("/signup/", data)
    body = response.content.decode()
    assert response.status_code == 400
    error = body.split(f'id="id_{field}_error"', 1)[1].split("</ul>", 1)[0]
    assert message in error
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in body or (
        f'aria-describedby="id_{field}_error"' in body
    )
    assert (Organization.objects.count(), LoginToken.objects.count()) == before
    assert not schema_exists("t_" + data["subdomain"].replace("-", "_"))


def test_a_taken_subdomain_is_refused_on_the_field(db, public_client, organization):
    response = public_client.post("/signup/", form_data(subdomain=organization.slug))
    assert response.status_code == 400
    assert "This subdomain is taken" in response.content.decode().split('id="id_subdomain_error"', 1)[1]
    assert Organization.objects.filter(slug=organization.slug).count() == 1


def test_every_wrong_field_is_reported_at_once(db, public_client, organization):
    data = form_data(subdomain=organization.slug, email="nope", password="123")
    body = public_client.post("/signup/", data).content.decode()
    for field in ("subdomain", "email", "password"):
        assert f'id="id_{field}_error"' in body


def test_the_subdomain_is_stored_in_lowercase(db, public_client):
    slug = unique_slug("upper")
    public_client.post("/signup/", form_data(subdomain=f"  {slug.upper()} ", email="ursula@example.com"))
    assert Organization.objects.filter(slug=slug).exists()


# Availability as you type


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("fresh-works", "✓ fresh-works.localhost is available."),
        ("www", "This subdomain is reserved"),
        ("no_underscores", "Use lowercase letters, digits and hyphens only"),
        ("", "Lowercase letters, digits and hyphens."),
    ],
)
def test_the_availability_fragment_says_whether_a_subdomain_can_be_used(db, public_client, typed, expected):
    response = public_client.get("/signup/check-subdomain", {"subdomain": typed}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_availability_fragment_says_a_taken_subdomain_is_taken(db, public_client, organization):
    response = public_client.get("/signup/check-subdomain", {"subdomain": organization.slug.upper()})
    assert "This subdomain is taken" in response.content.decode()


# Rate limit


def test_signups_from_one_address_are_limited(db, public_client, signup_rate):
    signup_rate("2/hour")
    assert public_client.post("/signup/", form_data()).status_code == 302
    assert public_client.post("/signup/", form_data()).status_code == 302
    data = form_data()
    response = public_client.post("/signup/", data)
    assert response.status_code == 429
    assert "Too many signups" in response.content.decode()
    assert not Organization.objects.filter(slug=data["subdomain"]).exists()


def test_the_form_and_the_api_share_the_limit_but_other_addresses_do_not(db, public_client, signup_rate):
    signup_rate("1/hour")
    assert public_client.post("/signup/", form_data()).status_code == 302
    assert public_client.post("/api/v1/signup", form_data(), content_type="application/json").status_code == 429
    elsewhere = Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.9")
    assert elsewhere.post("/signup/", form_data()).status_code == 302


# The API


def test_the_api_creates_the_workspace_and_its_login_url_signs_in_exactly_once(db, public_client):
    data = form_data()
    response = public_client.post("/api/v1/signup", data, content_type="application/json")
    assert response.status_code == 201
    organization = Organization.objects.get(slug=data["subdomain"])
    body = response.json()
    assert body["organization"] == {"slug": organization.slug, "url": f"http://{organization.host}:8000/"}
    assert body["login_url"].startswith(f"{organization.url}accounts/token/")

    first, second = client_on(organization.host), client_on(organization.host)
    assert first.get(body["login_url"]).status_code == 302
    assert signed_in_email(first, organization) == data["email"]
    refused = second.get(body["login_url"])
    assert refused.status_code == 403
    assert signed_in_email(second, organization) is None


def test_a_login_url_does_not_work_on_another_workspace(db, public_client, other_organization):
    body = public_client.post("/api/v1/signup", form_data(), content_type="application/json").json()
    path = body["login_url"].split(":8000", 1)[1]
    elsewhere = client_on(other_organization.host)
    assert elsewhere.get(path).status_code == 403
    assert signed_in_email(elsewhere, other_organization) is None


def test_the_api_names_every_missing_field(db, public_client):
    response = public_client.post("/api/v1/signup", {}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"organization_name", "subdomain", "full_name", "email", "password"}
    assert Organization.objects.count() == 0


def test_the_api_names_a_taken_subdomain_a_weak_password_and_a_bad_industry(db, public_client, organization):
    data = form_data(subdomain=organization.slug, password="password", industry="astrology")
    response = public_client.post("/api/v1/signup", data, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"subdomain", "password", "industry"}
    assert "taken" in errors["subdomain"][0]
    assert Organization.objects.count() == 1


def test_the_api_refuses_a_body_that_is_not_an_object(db, public_client):
    response = public_client.post("/api/v1/signup", ["x"], content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_the_api_is_limited_per_address_with_a_429(db, public_client, signup_rate):
    signup_rate("1/hour")
    assert public_client.post("/api/v1/signup", form_data(), content_type="application/json").status_code == 201
    response = public_client.post("/api/v1/signup", form_data(), content_type="application/json")
    assert response.status_code == 429
    assert "detail" in response.json()


def test_the_signup_api_is_described_in_the_public_openapi_schema(db, public_client):
    response = public_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/signup"]["post"]
    assert "201" in operation["responses"]
    assert operation["security"] == [{}]


def test_a_failed_signup_keeps_the_chosen_plan_in_the_form_address(db, public_client):
    response = public_client.post("/signup/?tier=starter", form_data(email="bad"))
    body = response.content.decode()
    assert 'action="/signup/?tier=starter"' in body
    assert "You picked <strong>Starter</strong>" in body


def test_a_made_up_forwarded_for_header_does_not_escape_the_limit(db, public_client, signup_rate):
    signup_rate("1/hour")
    assert public_client.post("/signup/", form_data()).status_code == 302
    spoofed = public_client.post("/signup/", form_data(), HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert spoofed.status_code == 429


def test_a_subdomain_taken_between_the_check_and_the_insert_is_a_field_error(transactional_db):
    """Another signup commits the subdomain while ours waits on the row lock: 400 on the field, not a 500."""
    import threading
    import time

    from django.core.exceptions import ValidationError
    from django.db import connections, transaction

    from marketing.services import signup_complete

    slug = unique_slug("race")
    inserted, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def other_signup() -> None:  # holds an uncommitted row with the slug until released
        try:
            with transaction.atomic():
                Organization.objects.create(name="Other", slug=slug, schema_name=f"t_{slug}".replace("-", "_"))
                inserted.set()
                release.wait(30)
        finally:
            connections.close_all()

    def our_signup() -> None:
        try:
            signup_complete(**form_data(subdomain=slug))
            outcome.append("created")
        except ValidationError as exc:
            outcome.append(exc.message_dict["subdomain"][0])
        finally:
            connections.close_all()

    other, ours = threading.Thread(target=other_signup), threading.Thread(target=our_signup)
    other.start()
    assert inserted.wait(30)
    ours.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not lock_waiters():
        time.sleep(0.05)
    release.set()
    other.join(30)
    ours.join(30)
    assert outcome == ["This subdomain is taken. Please choose another."]
    assert Organization.objects.filter(slug=slug).count() == 1
    assert not schema_exists(f"t_{slug}".replace("-", "_"))


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        return cursor.fetchone()[0]
