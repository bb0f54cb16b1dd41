"""Operators see the notification log in the console; nobody edits it, and tenants never reach it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from notifications.models import NotificationLog
from notifications.services import notify
from tests.conftest import PASSWORD, client_for
from tests.signin import console_sign_in


@pytest.fixture
def operator_client(db, public_client):
    operator = get_user_model().objects.create_superuser(email="ops@unison.example.com", password=PASSWORD)
    return console_sign_in(public_client, operator)


def test_an_operator_sees_each_notice_in_the_console(operator_client, organization):
    notify(organization=organization, kind="usage_alert", occasion="plants:80:2026-11", context={"limit": "plants"})
    response = operator_client.get("/admin/notifications/notificationlog/")
    assert response.status_code == 200
    assert b"plants:80:2026-11" in response.content and b"Acme Works" in response.content


def test_an_operator_cannot_add_edit_or_delete_a_notice(operator_client, organization):
    log_id = notify(organization=organization, kind="trial_ended", occasion="2026-12-12")
    base = "/admin/notifications/notificationlog/"
    assert operator_client.get(f"{base}add/").status_code == 403
    operator_client.post(f"{base}{log_id}/change/", {"status": "sent", "occasion": "edited"})
    operator_client.post(f"{base}{log_id}/delete/", {"post": "yes"})
    log = NotificationLog.objects.get(pk=log_id)
    assert (log.occasion, log.status) == ("2026-12-12", "queued")


def test_a_tenant_owner_cannot_reach_the_log(organization, owner):
    response = client_for(organization, owner).get("/admin/notifications/notificationlog/")
    assert response.status_code == 404
