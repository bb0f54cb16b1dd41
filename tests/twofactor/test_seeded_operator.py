"""The operator `seed_demo` makes (for `make run`) owns the console and sets up two-factor at the first
sign-in; `--reset-two-factor` lets a developer who lost the authenticator set it up again."""

from __future__ import annotations

import re

import pyotp
from django.conf import settings
from django.test import Client

from accounts.models import TOTPDevice, User
from tests.tenants.test_seed_demo import seed


def test_the_seeded_operator_sets_up_two_factor_at_the_first_sign_in_then_signs_in_with_it(db):
    out = seed("--password", "demo-password-123")
    assert "shows a QR code" in out
    operator = User.objects.get(email="operator@unison.local")
    assert operator.console_role == "owner" and not TOTPDevice.objects.filter(user=operator).exists()

    client = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
    step = client.post("/admin/login/?next=/admin/", {"username": operator.email, "password": "demo-password-123"})
    assert step["Location"] == "/admin/login/set-up/"
    page = client.get(step["Location"]).content.decode()
    secret = re.search(r'<code class="font-mono break-all">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert client.post("/admin/login/set-up/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/admin/").status_code == 200

    out = seed("--reset-two-factor")
    assert "two-factor sign-in of operator@unison.local removed" in out
    assert not TOTPDevice.objects.filter(user=operator).exists()
    again = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
    step = again.post("/admin/login/?next=/admin/", {"username": operator.email, "password": "demo-password-123"})
    assert step["Location"] == "/admin/login/set-up/"
