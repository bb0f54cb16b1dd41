"""Honest read-only mode: a suspended or cancelled workspace shows no write buttons, says why where they
were and how out (billing, support); an active one shows them; the server refuses the writes either way."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import Invitation, Plant, WorkOrder
from tests.conftest import client_for, tenant_user
from tests.shopfloor.conftest import plan_set

NOTE = re.compile(r'<div class="note read-only-note" data-read-only-note>.*?</div>', re.S)


@pytest.fixture
def workspace(organization, owner, onboarded, records):
    """A Professional workspace with records, sample data and a pending invitation; return its owner's client."""
    with schema_context(organization.schema_name):
        services.sample_data_load(organization=organization)
        Invitation.objects.create(email="pending@example.com", role="member")
    return client_for(organization, owner)


def pages(records) -> dict[str, list[str]]:
    """Return each page and the write controls it offers a writable workspace's owner."""
    wo, plant, material = records["work_order"], records["plant"], records["material"]
    return {
        "/": ["New work order", "Report NCR", "Remove sample data"],
        "/work-orders/": ["New work order"],
        f"/work-orders/{wo.pk}/": ["Release", f"/work-orders/{wo.pk}/edit/", "Report NCR"],
        "/plants/": ["Add a plant"],
        f"/plants/{plant.pk}/": ["New work order", "Edit plant", "Add a department", ">delete<"],
        f"/materials/{material.pk}/": ["Record a count", f"/materials/{material.pk}/edit/", "Report NCR"],
        "/materials/": ["Add a material"],
        "/ncrs/": ["Report NCR"],
        "/team/": ["Send invitations", ">withdraw<"],
    }


@pytest.mark.parametrize("status", ["suspended", "cancelled"])
def test_a_read_only_workspace_shows_no_write_buttons_and_says_why_and_how_out(organization, workspace, records, status):
    plan_set(organization, "professional", status=status)
    for url, controls in pages(records).items():
        response = workspace.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        main = body.split('<main id="main"', 1)[1]
        for control in controls:
            assert control not in main, (url, control)
        note = NOTE.search(main)
        assert note, url
        says = "Your subscription has ended" if status == "cancelled" else "Your subscription is suspended"
        assert says in note.group(0) and "changes are paused" in note.group(0), url
        assert 'href="/billing/"' in note.group(0) and 'href="mailto:' in note.group(0), url


def test_a_member_of_a_read_only_workspace_is_told_to_ask_an_owner(organization, workspace, records):
    plan_set(organization, "professional", status="suspended")
    member = client_for(organization, tenant_user(organization, role="member"))
    note = NOTE.search(member.get("/work-orders/").content.decode()).group(0)
    assert "Ask an owner or admin to pay on the billing page" in note and "New work order" not in note


def test_an_operators_hold_says_to_contact_support(organization, workspace, records):
    from subscriptions.services import subscription_hold

    plan_set(organization, "professional")
    subscription_hold(subscription=organization.subscription, reason="Abuse report", actor="operator@unison.test")
    note = NOTE.search(workspace.get("/work-orders/").content.decode()).group(0)
    assert "An operator has paused changes to this workspace" in note and "Contact support" in note


def test_an_active_workspace_shows_every_write_button_and_no_note(organization, workspace, records):
    plan_set(organization, "professional", status="active")
    for url, controls in pages(records).items():
        body = workspace.get(url).content.decode()
        for control in controls:
            assert control in body, (url, control)
        assert "data-read-only-note" not in body, url


def test_the_forms_of_a_read_only_workspace_have_no_submit_button(organization, workspace, records):
    plan_set(organization, "professional", status="suspended")
    for url in ("/work-orders/new/", "/plants/new/", f"/materials/{records['material'].pk}/count/"):
        body = workspace.get(url).content.decode()
        assert 'type="submit">' not in body.split('<main id="main"', 1)[1].split("</main>")[0].replace(
            'type="submit">Sign out', ""), url
        assert "data-read-only-note" in body, url


def test_the_server_refuses_the_writes_of_a_read_only_workspace(organization, workspace, records):
    plan_set(organization, "professional", status="suspended")
    wo, plant = records["work_order"], records["plant"]
    attempts = [
        ("/work-orders/new/", {"material": records["material"].pk, "quantity": "1", "plant": plant.pk,
                               "due_date": "2030-01-01"}),
        (f"/work-orders/{wo.pk}/advance/", {"to": "released"}),
        ("/plants/new/", {"name": "Second", "code": "TWO-1", "time_zone": "UTC", "address": ""}),
        ("/onboarding/sample-data/", {"load": "on"}),
        ("/onboarding/sample-data/remove/", {}),
        ("/team/", {"emails": "new@example.com", "role": "member"}),
    ]
    for url, data in attempts:
        response = workspace.post(url, data)
        assert response.status_code in (403, 404, 405), url
        if response.status_code == 403:
            assert b"Changes are paused" in response.content, url
    with schema_context(organization.schema_name):
        assert WorkOrder.objects.get(pk=wo.pk).status == "planned"
        assert Plant.objects.count() == 1
        assert not Invitation.objects.filter(email="new@example.com").exists()
