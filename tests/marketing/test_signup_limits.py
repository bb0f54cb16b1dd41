"""The signup limits count workspaces created per address, with a higher bound on every attempt."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tenants.models import Organization
from tests.marketing.test_signup import form_data

OFFICE = "203.0.113.20"


def office() -> Client:
    return Client(HTTP_HOST="localhost", REMOTE_ADDR=OFFICE)


def rate(scope: str) -> str:
    return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(scope)


def sign_up(client: Client, data: dict, *, api: bool = False, **headers) -> int:
    if api:
        return client.post("/api/v1/signup", data, content_type="application/json", **headers).status_code
    return client.post("/signup/", data, **headers).status_code


def test_the_configured_limits_are_ten_workspaces_and_sixty_attempts_per_address_an_hour():
    assert (rate("signup"), rate("signup_attempt")) == ("10/hour", "60/hour")


def test_nine_failed_signups_and_one_success_do_not_block_the_next_signup(db):
    client = office()
    for _ in range(9):
        assert sign_up(client, form_data(email="not-an-e-mail")) == 400
    assert sign_up(client, form_data()) == 302
    data = form_data()
    assert sign_up(client, data, api=True) == 201
    assert Organization.objects.filter(slug=data["subdomain"]).exists()


def test_failed_api_signups_do_not_count_as_workspaces_either(db, signup_rate):
    signup_rate("1/hour")
    client = office()
    assert sign_up(client, form_data(password="short"), api=True) == 400
    assert sign_up(client, form_data(), api=True) == 201
    assert sign_up(client, form_data(), api=True) == 429


def test_the_attempt_bound_stops_hammering_the_form_and_the_api_whatever_the_forwarded_for(db):
    client = office()
    attempts = int(rate("signup_attempt").split("/")[0])
    for n in range(attempts):
        api = n % 2 == 1
        assert sign_up(client, form_data(email="not-an-e-mail"), api=api, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") == 400
    data = form_data()
    response = client.post("/signup/", data, HTTP_X_FORWARDED_FOR="198.51.100.250")
    assert response.status_code == 429
    assert "Too many signups" in response.content.decode()
    assert sign_up(client, form_data(), api=True) == 429
    assert not Organization.objects.filter(slug=data["subdomain"]).exists()
    assert sign_up(Client(HTTP_HOST="localhost", REMOTE_ADDR="203.0.113.21"), form_data()) == 302


def test_behind_a_trusted_proxy_each_forwarded_address_has_its_own_limits(db, settings, signup_rate):
    signup_rate("1/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = Client(HTTP_HOST="localhost", REMOTE_ADDR="10.0.0.2")
    assert sign_up(proxy, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.1") == 302
    assert sign_up(proxy, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.1") == 429
    assert sign_up(proxy, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.2") == 302
    # The proxy appends the address it saw: what the client wrote before it is not trusted.
    assert sign_up(proxy, form_data(), HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.1") == 429
