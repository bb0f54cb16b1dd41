"""The password-reset e-mail's link is built from our settings (scheme, base domain, port), not from the
Host header of the request that asked for it."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from tenants.hosts import origin


@pytest.mark.parametrize(("scheme", "port"), [("https", ""), ("http", "8000")])
def test_the_reset_link_ignores_the_port_and_scheme_of_the_request(organization, owner, scheme, port):
    with override_settings(UNISON_SCHEME=scheme, UNISON_PORT=port):
        client = Client(HTTP_HOST=f"{organization.host}:6666")
        assert client.post("/accounts/password-reset/", {"email": owner.email}).status_code == 302
        expected = origin(organization.host)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+", message.body).group(0)
    assert link.startswith(f"{expected}/accounts/reset/")
    assert ":6666" not in message.body
