"""Onboarding: the wizard after signup, smart defaults, sample data and the "Complete your setup" card."""

from __future__ import annotations

from django.core import mail
from django_tenants.utils import schema_context

from shopfloor import services
from shopfloor.models import NCR, Department, Invitation, Lane, Material, OnboardingState, Plant, Shift, WorkOrder
from tenants.models import Organization
from tests.conftest import client_for, tenant_user
from tests.shopfloor.conftest import plan_set

PROFILE = {"industry": "switchgear", "company_size": "51-200", "primary_use_case": "quality",
           "costing_method": "weighted_average"}


def test_a_new_plant_gets_four_departments_three_lanes_and_a_day_shift(in_tenant):
    plant = services.plant_create(organization=in_tenant, name="Main", code="MAIN")
    assert list(plant.departments.values_list("name", flat=True)) == ["Cutting", "Welding", "Assembly", "QC"]
    assert list(plant.lanes.values_list("name", flat=True)) == ["Lane 1", "Lane 2", "Lane 3"]
    shift = plant.shifts.get()
    assert (shift.name, f"{shift.start:%H:%M}", f"{shift.end:%H:%M}") == ("Day", "06:00", "14:00")
    assert shift.day_names == ["Mon", "Tue", "Wed", "Thu", "Fri"]


def test_sample_data_loads_once_however_often_it_is_asked_for(in_tenant):
    assert services.sample_data_load(organization=in_tenant) is True
    counts = [Plant.objects.count(), Material.objects.count(), WorkOrder.objects.count(), NCR.objects.count()]
    assert counts == [1, 6, 4, 2]
    assert services.sample_data_load(organization=in_tenant) is False
    assert [Plant.objects.count(), Material.objects.count(), WorkOrder.objects.count(), NCR.objects.count()] == counts
    assert set(WorkOrder.objects.values_list("status", flat=True)) == {"planned", "released", "in_progress", "completed"}
    assert OnboardingState.objects.get().sample_data_loaded


def test_sample_data_uses_the_existing_plant_and_stays_inside_its_tenant(organization, other_organization):
    with schema_context(organization.schema_name):
        plant = services.plant_create(organization=organization, name="Home", code="HOME")
        services.sample_data_load(organization=organization)
        assert Plant.objects.get() == plant
        assert WorkOrder.objects.filter(plant=plant).count() == 4
    with schema_context(other_organization.schema_name):
        assert not Material.objects.exists() and not WorkOrder.objects.exists() and not Plant.objects.exists()
        assert not NCR.objects.exists() and not OnboardingState.objects.exists()


def test_sample_data_leaves_ncrs_out_without_quality_management(organization, in_tenant):
    plan_set(organization, "starter")
    services.sample_data_load(organization=in_tenant)
    assert WorkOrder.objects.count() == 4 and not NCR.objects.exists()


def test_an_owner_who_has_not_started_setup_is_sent_to_the_wizard(organization, owner, teammate):
    response = client_for(organization, owner).get("/")
    assert response.status_code == 302 and response["Location"] == "/onboarding/"
    assert client_for(organization, owner).get("/onboarding/")["Location"] == "/onboarding/organization/"
    assert client_for(organization, teammate).get("/").status_code == 200  # members are not sent


def test_the_organisation_step_cannot_be_skipped_and_names_bad_fields(organization, owner):
    client = client_for(organization, owner)
    skipped = client.post("/onboarding/organization/", {"skip": "1"})
    assert skipped.status_code == 200 and b"This field is required" in skipped.content
    bad = client.post("/onboarding/organization/", {**PROFILE, "company_size": "7"})
    assert bad.status_code == 200 and b"Select a valid choice" in bad.content
    organization.refresh_from_db()
    assert organization.company_size == ""
    page = client.get("/onboarding/organization/").content.decode()
    assert "First in, first out" in page and "average cost" in page


def test_the_wizard_walks_from_organisation_details_to_a_dashboard_with_sample_data(
    organization, owner, django_capture_on_commit_callbacks
):
    client = client_for(organization, owner)
    response = client.post("/onboarding/organization/", PROFILE)
    assert response["Location"] == "/onboarding/plant/"
    organization.refresh_from_db()
    assert (organization.industry, organization.costing_method) == ("switchgear", "weighted_average")
    response = client.post("/onboarding/plant/", {"name": "Pune Works", "code": "pune-1", "time_zone": "Asia/Kolkata"})
    assert response["Location"] == "/onboarding/team/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/onboarding/team/", {"emails": "ana@example.com, li@example.com", "role": "member"})
    assert response["Location"] == "/onboarding/sample-data/"
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.com", "li@example.com"]
    response = client.post("/onboarding/sample-data/", {"load": "on"})
    assert response["Location"] == "/onboarding/done/"
    assert client.post("/onboarding/done/")["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "Pune Works" in body and "SMP-" in body and "NCR-" in body
    with schema_context(organization.schema_name):
        state = OnboardingState.objects.get()
        assert state.completed_at is not None
        assert state.steps_done == ["organization", "plant", "team", "sample_data", "done"]
        plant = Plant.objects.get()
        assert (plant.code, Department.objects.count(), Lane.objects.count(), Shift.objects.count()) == ("PUNE-1", 4, 3, 1)
        assert Invitation.objects.count() == 2


def test_every_step_after_the_first_can_be_skipped(organization, owner):
    client = client_for(organization, owner)
    client.post("/onboarding/organization/", PROFILE)
    for step, following in (("plant", "team"), ("team", "sample-data"), ("sample-data", "done")):
        assert client.post(f"/onboarding/{step}/", {"skip": "1"})["Location"] == f"/onboarding/{following}/"
    with schema_context(organization.schema_name):
        assert not Plant.objects.exists() and not Material.objects.exists() and not Invitation.objects.exists()
    assert client.get("/").status_code == 200


def test_the_setup_card_shows_progress_and_the_next_step(organization, owner):
    client = client_for(organization, owner)
    client.post("/onboarding/organization/", PROFILE)
    body = client.get("/").content.decode()
    assert "Complete your setup" in body and "1 of 5 done" in body
    assert 'href="/plants/new/">Add your first plant' in body
    with schema_context(organization.schema_name):
        services.plant_create(organization=organization, name="Main", code="MAIN")
    body = client.get("/").content.decode()
    assert "2 of 5 done" in body and 'href="/team/">Invite your teammates' in body
    tenant_user(organization, role="member")
    with schema_context(organization.schema_name):
        services.sample_data_load(organization=organization)
    assert "Complete your setup" not in client.get("/").content.decode()


def test_the_team_step_refuses_more_invitations_than_the_plan_has_seats(
    organization, owner, django_capture_on_commit_callbacks
):
    plan_set(organization, "starter")  # 3 users: the owner plus two
    client = client_for(organization, owner)
    client.post("/onboarding/organization/", PROFILE)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/onboarding/team/", {"emails": "a@example.com b@example.com c@example.com", "role": "member"}
        )
    assert response.status_code == 403
    assert "Your plan includes 3 users" in response.content.decode()
    assert not mail.outbox
    with schema_context(organization.schema_name):
        assert not Invitation.objects.exists()
    assert Organization.objects.get(pk=organization.pk).industry == "switchgear"


def test_later_steps_wait_for_the_organisation_details(organization, owner):
    client = client_for(organization, owner)
    for step in ("plant", "team", "sample-data", "done"):
        response = client.post(f"/onboarding/{step}/", {"skip": "1"})
        assert response.status_code == 302 and response["Location"] == "/onboarding/organization/", step
    assert client.get("/onboarding/nowhere/").status_code == 404
    with schema_context(organization.schema_name):
        assert not OnboardingState.objects.exists()


def test_removing_sample_data_keeps_what_the_team_built_on_and_can_load_again(in_tenant):
    services.sample_data_load(organization=in_tenant)
    used = WorkOrder.objects.filter(is_sample=True, status="planned").get()
    own_ncr = services.ncr_create(organization=in_tenant, description="Our own finding", work_order=used)
    own_order = services.work_order_create(material=Material.objects.get(sku="SMP-BOLT-M8"), quantity=5,
                                           plant=Plant.objects.get(), due_date=used.due_date)

    removed = services.sample_data_remove(organization=in_tenant)

    assert removed == {"ncrs": 2, "work_orders": 3, "materials": 4}
    assert set(WorkOrder.objects.all()) == {used, own_order}
    assert set(Material.objects.values_list("sku", flat=True)) == {used.material.sku, "SMP-BOLT-M8"}
    assert list(NCR.objects.all()) == [own_ncr] and Plant.objects.count() == 1
    assert services.sample_data_load(organization=in_tenant) is False  # not while samples are in use

    NCR.objects.all().delete()
    WorkOrder.objects.filter(pk=own_order.pk).delete()
    services.sample_data_remove(organization=in_tenant)
    assert not OnboardingState.objects.get().sample_data_loaded
    assert services.sample_data_load(organization=in_tenant) is True
    assert Material.objects.filter(is_sample=True).count() == 6


def test_the_dashboard_offers_removal_to_owners_and_admins_only(organization, onboarded, owner, teammate):
    with schema_context(organization.schema_name):
        services.sample_data_load(organization=organization)

    assert "Remove sample data" not in client_for(organization, teammate).get("/").content.decode()
    assert client_for(organization, teammate).post("/onboarding/sample-data/remove/").status_code == 403
    page = client_for(organization, owner)
    assert "Remove sample data" in page.get("/").content.decode()
    response = page.post("/onboarding/sample-data/remove/", follow=True)

    assert "Removed 6 sample materials, 4 work orders and 2 NCRs." in response.content.decode()
    assert "Remove sample data" not in response.content.decode()
    with schema_context(organization.schema_name):
        assert not Material.objects.exists() and not WorkOrder.objects.exists()


def test_another_workspaces_user_cannot_remove_this_ones_sample_data(organization, other_organization, outsider):
    with schema_context(organization.schema_name):
        services.sample_data_load(organization=organization)
    client = client_for(other_organization, outsider)
    client.defaults["HTTP_HOST"] = organization.host  # the outsider's cookies, this workspace's host

    response = client.post("/onboarding/sample-data/remove/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with schema_context(organization.schema_name):
        assert Material.objects.filter(is_sample=True).count() == 6
