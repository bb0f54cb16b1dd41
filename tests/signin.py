"""Signing operators (and workspace users) in with two-factor, the way a person does: a real device,
a real TOTP code computed here, the real sign-in pages. Nothing in the product is bypassed."""

from __future__ import annotations

import time

import pyotp
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD


def enrolled(user) -> str:
    """Give ``user`` a confirmed authenticator (in the current schema); return its secret."""
    from accounts.two_factor import totp_device_begin, totp_device_confirm

    device = totp_device_begin(user=user)
    totp_device_confirm(user=user, code=pyotp.TOTP(device.secret).now())
    return device.secret


def next_code(user) -> str:
    """Return a code the user's app would show that has not been used yet (the step after the last used).

    When that step is more than one ahead of the clock (codes of two steps used already), wait for the
    clock, as a person waits for the next code: a code is good from one step early.
    """
    from accounts.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user)
    step = device.last_step + 1
    for _ in range(31):  # at most one step's wait (and none under a frozen clock's loop)
        if step <= int(time.time()) // 30 + 1:
            break
        time.sleep(1)
    return pyotp.TOTP(device.secret).at(step * 30)


def console_sign_in(client: Client, user, password: str = PASSWORD) -> Client:
    """Sign ``user`` in to the console through its pages: password, then a fresh code (enrolling first if needed)."""
    from accounts.models import TOTPDevice

    connection.set_schema_to_public()
    if not TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        enrolled(user)
    response = client.post("/admin/login/?next=/admin/", {"username": user.email, "password": password})
    assert response.status_code == 302 and response.url.endswith("/admin/login/two-factor/"), response
    response = client.post("/admin/login/two-factor/", {"code": next_code(user)})
    assert response.status_code == 302 and "/login/" not in response.url, response.content[:500]
    return client


def console_client(user=None, password: str = PASSWORD) -> Client:
    """Return a test client on the public host, signed in to the console as ``user`` if given."""
    client = Client(HTTP_HOST=settings.UNISON_BASE_DOMAIN)
    return console_sign_in(client, user, password) if user is not None else client


def customer_audit():
    """Return the audit entries of actions on customers, leaving out sign-in records (console_sign_in, …)."""
    from platform_admin.models import AuditEntry
    from platform_admin.services import SIGN_IN_ACTIONS

    return AuditEntry.objects.exclude(action__in=SIGN_IN_ACTIONS)


def console_browser_sign_in(page, site, user, password: str = PASSWORD) -> None:
    """Sign ``user`` in to the console in a real browser: e-mail and password, then a fresh code."""
    import re

    connection.set_schema_to_public()
    from accounts.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        enrolled(user)
    page.goto(site.url("/admin/login/"))
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/login/two-factor/$"))
    page.fill("input[name=code]", next_code(user))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
