"""The console's own sign-in: every operator passes a code (setting one up at the first sign-in), each
sign-in and failure is audited, and an idle session ends on the server's clock."""

from __future__ import annotations

import re

import pyotp
from django.conf import settings
from django.test import Client

from accounts.models import TOTPDevice
from platform_admin.models import AuditEntry
from tests.conftest import PASSWORD
from tests.platform_admin.conftest import public_user
from tests.signin import console_client, enrolled, next_code


def console() -> Client:
    return Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)


def password_step(client: Client, email: str, password: str = PASSWORD):
    return client.post("/admin/login/?next=/admin/", {"username": email, "password": password})


def test_an_operator_without_an_authenticator_sets_one_up_at_the_first_sign_in(operator):
    client = console()
    response = password_step(client, operator.email)
    assert response.status_code == 302 and response["Location"] == "/admin/login/set-up/"
    assert client.get("/admin/").status_code == 302, "the console stays shut until the code"
    page = client.get("/admin/login/set-up/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "Operators sign in with a password and a code" in html
    secret = re.search(r'<code class="font-mono break-all">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    wrong = client.post("/admin/login/set-up/", {"code": "abc"})
    assert wrong.status_code == 400 and "That code is wrong" in wrong.content.decode()
    done = client.post("/admin/login/set-up/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302 and done["Location"] == "/admin/recovery-codes/"
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", client.get("/admin/recovery-codes/").content.decode())
    assert len(codes) == 10
    assert codes[0] not in client.get("/admin/recovery-codes/").content.decode(), "shown once"
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=operator).confirmed_at is not None


def test_an_operator_with_an_authenticator_needs_the_code(operator):
    enrolled(operator)
    client = console()
    response = password_step(client, operator.email)
    assert response["Location"] == "/admin/login/two-factor/"
    assert client.get("/admin/").status_code == 302
    bad = client.post("/admin/login/two-factor/", {"code": "00000"})
    assert bad.status_code == 400 and "That code is wrong" in bad.content.decode()
    good = client.post("/admin/login/two-factor/", {"code": next_code(operator)})
    assert good.status_code == 302 and good["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_session_signed_in_without_the_code_does_not_open_the_console(operator):
    client = console()
    client.force_login(operator)
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/admin/organizations").status_code == 403


def test_every_sign_in_and_failure_is_audited(operator):
    enrolled(operator)
    password_step(console(), operator.email, "not-the-password")
    password_step(console(), "nobody@unison.test", "whatever-it-is")
    client = console()
    password_step(client, operator.email)
    client.post("/admin/login/two-factor/", {"code": "000000" if next_code(operator) != "000000" else "111111"})
    client.post("/admin/login/two-factor/", {"code": next_code(operator)})
    entries = list(AuditEntry.objects.order_by("id").values_list("action", "actor_email", "details__reason"))
    assert entries == [
        ("console_sign_in_failed", operator.email, "wrong_password"),
        ("console_sign_in_failed", "nobody@unison.test", "wrong_password"),
        ("two_factor_failed", operator.email, "wrong_code"),
        ("console_sign_in", operator.email, None),
    ]
    signed_in = AuditEntry.objects.get(action="console_sign_in")
    assert signed_in.details["two_factor"] == "totp" and signed_in.details["ip_address"] == "127.0.0.1"
    assert signed_in.organization_id is None and signed_in.actor_id is None and signed_in.target_id == str(operator.pk)


def test_the_operator_token_needs_the_code_and_an_authenticator(operator):
    body = {"email": operator.email, "password": PASSWORD}
    no_device = console().post("/api/v1/admin/auth/token", body, content_type="application/json")
    assert no_device.status_code == 403 and no_device.json()["code"] == "two_factor_enrolment_required"
    enrolled(operator)
    no_code = console().post("/api/v1/admin/auth/token", body, content_type="application/json")
    assert no_code.status_code == 401 and no_code.json()["code"] == "two_factor_required"
    wrong = console().post("/api/v1/admin/auth/token", {**body, "two_factor_code": "12345678"},
                           content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "two_factor_invalid"
    right = console().post("/api/v1/admin/auth/token", {**body, "two_factor_code": next_code(operator)},
                           content_type="application/json")
    assert right.status_code == 200
    assert AuditEntry.objects.filter(action="console_sign_in", details__two_factor="api_token").count() == 1
    assert AuditEntry.objects.filter(action="two_factor_failed").count() == 1


def test_a_jwt_issued_without_a_code_does_not_open_the_admin_api(operator):
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts.authentication import CREDENTIALS_CLAIM, SCHEMA_CLAIM

    token = RefreshToken.for_user(operator)
    token[SCHEMA_CLAIM], token[CREDENTIALS_CLAIM] = "public", operator.credentials_hash()
    response = console().get("/api/v1/admin/organizations", HTTP_AUTHORIZATION=f"Bearer {token.access_token}")
    assert response.status_code == 403


def test_an_idle_console_session_ends_and_is_audited(operator, time_machine):
    time_machine.move_to("2026-12-01 09:00Z", tick=False)
    client = console_client(operator)
    time_machine.move_to("2026-12-01 09:29Z", tick=False)
    assert client.get("/admin/").status_code == 200  # 29 minutes idle: still open, and the clock restarts
    time_machine.move_to("2026-12-01 09:58Z", tick=False)
    assert client.get("/admin/tenants/organization/").status_code == 200
    time_machine.move_to("2026-12-01 10:29Z", tick=False)
    response = client.get("/admin/tenants/organization/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=")
    assert client.get("/admin/").status_code == 302, "signed out"
    expired = AuditEntry.objects.get(action="console_session_expired")
    assert expired.actor_email == operator.email and expired.details["idle_since"].startswith("2026-12-01T09:58")


def test_an_idle_api_session_gets_401(operator, time_machine, settings):
    settings.CONSOLE_IDLE_MINUTES = 5
    time_machine.move_to("2026-12-01 09:00Z", tick=False)
    client = console_client(operator)
    time_machine.move_to("2026-12-01 09:06Z", tick=False)
    response = client.get("/api/v1/admin/organizations")
    assert response.status_code == 401 and response.json()["code"] == "session_expired"


def test_a_superuser_without_a_console_role_is_refused(db):
    nobody = public_user("norole@unison.test", is_staff=True, is_superuser=True, console_role="")
    client = console()
    response = password_step(client, nobody.email)
    assert response.status_code == 200 and "This account has no console role" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # Even signed in with a code (as before roles), the console and its API stay shut.
    enrolled(nobody)
    client.force_login(nobody)
    assert client.get("/api/v1/admin/organizations").status_code == 403
    body = {"email": nobody.email, "password": PASSWORD, "two_factor_code": next_code(nobody)}
    tokens = console().post("/api/v1/admin/auth/token", body, content_type="application/json").json()
    api = console().get("/api/v1/admin/organizations", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.status_code == 403
