"""Credential attacks from many addresses or at many accounts are locked out, per workspace.

Limits (unison/settings/auth.py), within 15 minutes: 5 failures for one account from one address,
10 for one account from any addresses, 10 from one address against any accounts.
"""

from __future__ import annotations

import re
from unittest import mock

from django.conf import settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from tests.conftest import PASSWORD, tenant_user
from tests.security.figures import record

WRONG = "wrong-password"


def address(n: int) -> str:
    return f"198.51.100.{n}"


def page_text(response) -> bytes:
    """Return the page without its CSRF token, which differs on every render."""
    return re.sub(rb'"X-CSRFToken": "[^"]*"', b"", response.content)


def sign_in(organization, email: str, password: str, *, at: str = "192.0.2.1", **headers):
    client = Client(HTTP_HOST=organization.host, REMOTE_ADDR=at)
    return client.post("/accounts/login/", {"username": email, "password": password}, **headers)


def token(organization, email: str, password: str, *, at: str = "192.0.2.1", **headers):
    client = Client(HTTP_HOST=organization.host, REMOTE_ADDR=at)
    return client.post(
        "/api/v1/auth/token", {"email": email, "password": password}, content_type="application/json", **headers
    )


def test_the_limits_are_five_per_account_and_address_ten_per_account_ten_per_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT == 10
    assert settings.SIGN_IN_ADDRESS_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME == 0.25  # hours


def test_sixteen_guesses_over_four_addresses_lock_the_account(organization, owner):
    answers = [sign_in(organization, owner.email, WRONG, at=address(n % 4)).status_code for n in range(16)]
    limit = settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
    record("password guesses at one account over 4 addresses", attempts=len(answers),
           leaks=sum(answer != 429 for answer in answers[limit - 1:]))
    assert answers[: limit - 1] == [200] * (limit - 1), "a real user may mistype a few times"
    assert answers[limit - 1 :] == [429] * (16 - limit + 1)
    # No address reached 5 failures, yet the right password from a fifth address is refused.
    assert sign_in(organization, owner.email, PASSWORD, at=address(99)).status_code == 429
    assert token(organization, owner.email, PASSWORD, at=address(99)).status_code == 429
    teammate = tenant_user(organization, role="member")
    assert sign_in(organization, teammate.email, PASSWORD, at=address(0)).status_code == 302, "only the account"


def test_one_guess_at_each_of_twelve_accounts_from_one_address_locks_the_address(organization):
    real = [tenant_user(organization, role="member").email for _ in range(6)]
    unknown = [f"nobody-{n}@{organization.slug}.example.com" for n in range(6)]
    answers = [
        sign_in(organization, email, WRONG, at=address(7), HTTP_X_FORWARDED_FOR=address(100 + n)).status_code
        for n, email in enumerate(real + unknown)
    ]
    limit = settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    record("one guess at each of 12 accounts from one address", attempts=len(answers),
           leaks=sum(answer != 429 for answer in answers[limit - 1:]))
    assert answers == [200] * (limit - 1) + [429] * (12 - limit + 1)
    untouched = tenant_user(organization, role="member")
    assert sign_in(organization, untouched.email, PASSWORD, at=address(7)).status_code == 429
    assert token(organization, untouched.email, PASSWORD, at=address(7)).status_code == 429
    assert sign_in(organization, untouched.email, PASSWORD, at=address(8)).status_code == 302


def test_signing_in_to_an_account_of_ones_own_does_not_reset_the_address_count(organization):
    attacker = tenant_user(organization, role="member")
    victims = [f"victim-{n}@{organization.slug}.example.com" for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT)]
    for email in victims[:-1]:
        assert sign_in(organization, email, WRONG, at=address(9)).status_code == 200
    assert sign_in(organization, attacker.email, PASSWORD, at=address(9)).status_code == 302
    assert sign_in(organization, victims[-1], WRONG, at=address(9)).status_code == 429
    assert sign_in(organization, attacker.email, PASSWORD, at=address(9)).status_code == 429


def test_a_successful_sign_in_forgets_that_accounts_typos_from_that_address(organization, owner):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(organization, owner.email, WRONG)
    assert sign_in(organization, owner.email, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(organization, owner.email, WRONG).status_code == 200


def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle(organization, owner):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]
    allowed = int(rate.split("/")[0])
    # A body without a password is refused before any sign-in: only the throttle counts it.
    answers = [
        Client(HTTP_HOST=organization.host).post(
            "/api/v1/auth/token", {"email": owner.email}, content_type="application/json",
            HTTP_X_FORWARDED_FOR=address(n),
        ).status_code
        for n in range(allowed + 1)
    ]
    record("token requests rotating X-Forwarded-For", attempts=len(answers), leaks=int(answers[-1] != 429))
    assert answers == [400] * allowed + [429]


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_locked(organization, owner, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(organization, owner.email, WRONG, at="10.0.0.2", HTTP_X_FORWARDED_FOR=address(1))
    assert sign_in(organization, owner.email, PASSWORD, at="10.0.0.2", HTTP_X_FORWARDED_FOR=address(1)).status_code == 429
    assert sign_in(organization, owner.email, PASSWORD, at="10.0.0.2", HTTP_X_FORWARDED_FOR=address(2)).status_code == 302


def test_a_locked_unknown_e_mail_and_a_locked_real_account_get_the_same_answer(organization, owner):
    unknown = f"nobody@{organization.slug}.example.com"
    for email in (owner.email, unknown):
        for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
            sign_in(organization, email, WRONG, at=address(n % 4))

    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as hashed:
        real_page = sign_in(organization, owner.email, PASSWORD, at=address(50))
        real_hashes = hashed.call_count
        unknown_page = sign_in(organization, unknown, PASSWORD, at=address(51))
        unknown_hashes = hashed.call_count - real_hashes
    assert (real_page.status_code, unknown_page.status_code) == (429, 429)
    assert page_text(real_page) == page_text(unknown_page)
    assert b"Too many failed sign-ins" in real_page.content
    assert real_hashes == unknown_hashes == 0, "neither answer checks a password: the same time either way"

    real_api = token(organization, owner.email, PASSWORD, at=address(52))
    unknown_api = token(organization, unknown, PASSWORD, at=address(53))
    assert (real_api.status_code, unknown_api.status_code) == (429, 429)
    assert real_api.json() == unknown_api.json()
    assert real_api.json()["code"] == "locked_out"
    assert "Too many failed sign-ins" in real_api.json()["detail"]
    assert "access" not in real_api.json()


def test_a_lockout_in_one_workspace_locks_neither_the_e_mail_nor_the_address_in_another(
    organization, owner, other_organization
):
    tenant_user(other_organization, email=owner.email, role="member")
    for n in range(settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT):
        sign_in(organization, owner.email, WRONG, at=address(n % 4))
    for n in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT):
        sign_in(organization, f"guess-{n}@example.com", WRONG, at=address(0))
    assert sign_in(organization, owner.email, PASSWORD, at=address(60)).status_code == 429
    assert sign_in(other_organization, owner.email, PASSWORD, at=address(0)).status_code == 302
    assert token(other_organization, owner.email, PASSWORD, at=address(0)).status_code == 200
