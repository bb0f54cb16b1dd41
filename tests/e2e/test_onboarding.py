"""A new owner's first sign-in: the setup wizard, step by step, to a dashboard full of sample data."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from shopfloor.models import NCR, Invitation, Material, OnboardingState, Plant, WorkOrder
from tests.conftest import tenant_user

pytestmark = pytest.mark.e2e


def test_a_new_owner_is_walked_from_first_sign_in_to_a_dashboard_with_sample_data(
    site, page, sign_in, screenshot, make_organization
):
    organization = make_organization(name="Volt Switchgear", industry="switchgear")
    owner = tenant_user(organization, role="owner")
    sign_in(page, organization, owner)

    expect(page).to_have_url(site.tenant_url(organization, "/onboarding/organization/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your organisation")
    expect(page.get_by_label("Industry")).to_have_value("switchgear")  # from signup
    expect(page.get_by_text("First in, first out")).to_be_visible()
    page.get_by_role("button", name="Continue").click()  # nothing chosen yet: refused on the fields
    expect(page.locator("#field-company_size .field-error")).to_have_text("This field is required.")
    page.get_by_label("51–200").check()
    page.get_by_label("Quality").check()
    page.get_by_label(re.compile("Weighted average —")).check()
    screenshot(page, "1-organisation")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(site.tenant_url(organization, "/onboarding/plant/"))
    expect(page.get_by_text("four departments (Cutting, Welding, Assembly, QC)")).to_be_visible()
    page.get_by_label("Name").fill("Hamburg Works")
    page.get_by_label("Code").fill("ham-1")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    screenshot(page, "2-plant")
    page.get_by_role("button", name="Create plant").click()

    expect(page).to_have_url(site.tenant_url(organization, "/onboarding/team/"))
    page.get_by_label("E-mail addresses").fill("ana@example.com, li@example.com")
    screenshot(page, "3-team")
    page.get_by_role("button", name="Send invitations").click()

    expect(page).to_have_url(site.tenant_url(organization, "/onboarding/sample-data/"))
    expect(page.get_by_label(re.compile("Load sample"))).to_be_checked()
    screenshot(page, "4-sample-data")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(site.tenant_url(organization, "/onboarding/done/"))
    page.get_by_role("button", name="Go to my dashboard").click()

    expect(page).to_have_url(site.tenant_url(organization, "/"))
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Open work orders"))).to_contain_text("3")
    expect(page.get_by_role("link", name="Hamburg Works")).to_be_visible()
    expect(page.get_by_text("SMP-CU-BUSBAR")).to_be_visible()  # under its reorder point
    expect(page.get_by_role("heading", name=re.compile("Recent NCRs"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^NCR-"))).to_have_count(2)
    expect(page.get_by_text("Complete your setup")).to_have_count(0)
    screenshot(page, "5-dashboard")

    page.get_by_role("link", name="Work orders").first.click()
    page.get_by_label("Status").select_option("in_progress")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    screenshot(page, "6-work-orders-filtered")

    organization.refresh_from_db()
    assert (organization.company_size, organization.costing_method) == ("51-200", "weighted_average")
    assert sorted(message.to[0] for message in mail.outbox if "invited" in message.subject) == [
        "ana@example.com", "li@example.com"
    ]
    with schema_context(organization.schema_name):
        assert Plant.objects.get().code == "HAM-1"
        assert (Material.objects.count(), WorkOrder.objects.count(), NCR.objects.count()) == (6, 4, 2)
        assert Invitation.objects.count() == 2
        assert OnboardingState.objects.get().completed_at is not None


def test_a_member_reports_an_ncr_from_a_work_order_with_three_clicks_and_a_sentence(
    site, page, sign_in, screenshot, make_organization
):
    from shopfloor import services

    organization = make_organization(name="Quick Quality")
    member = tenant_user(organization, role="member")
    with schema_context(organization.schema_name):
        services.sample_data_load(organization=organization)
        work_order = WorkOrder.objects.get(status="in_progress")
    sign_in(page, organization, member, f"/work-orders/{work_order.pk}/")
    page.get_by_role("link", name="Report NCR").click()
    expect(page.get_by_label("Work order")).to_have_value(str(work_order.pk))
    expect(page.get_by_label("Minor")).to_be_checked()  # sensible default
    page.get_by_label("Major").check()
    page.get_by_label("Description").fill("Three busbars bent during handling.")
    screenshot(page, "1-quick-form")
    page.get_by_role("button", name="Report NCR").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("NCR-")
    expect(page.get_by_text("Three busbars bent during handling.")).to_be_visible()
    screenshot(page, "2-reported")
    with schema_context(organization.schema_name):
        ncr = NCR.objects.get(description="Three busbars bent during handling.")
        assert (ncr.work_order, ncr.severity, ncr.disposition, ncr.reported_by_id) == (
            work_order, "major", "pending", member.pk
        )
