"""Console lists: organisations searched and filtered, the detail page, the usage page."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.urls import reverse as _reverse
from django.utils import timezone

from subscriptions.models import UsageSnapshot
from tests.conftest import billed, tenant_user

reverse = partial(_reverse, urlconf="unison.urls_public")


def listed(response) -> set[str]:
    return {str(org) for org in response.context["cl"].result_list}


def test_organizations_are_searched_and_filtered(make_organization, operator, operator_client):
    from platform_admin import services

    gears = make_organization(name="Acme Gears", industry="automotive")
    bolt = make_organization(name="Bolt Foods", industry="food")
    billed(gears, tier="starter", status="suspended")  # Stripe gave up collecting ("unpaid")
    # An operator's hold keeps the billing status: a held trial is still listed as trialing.
    services.operator_suspend(subscription=bolt.subscription, actor=operator, reason="Chargeback")
    url = reverse("admin:tenants_organization_changelist")
    assert listed(operator_client.get(url, {"q": gears.slug})) == {"Acme Gears"}
    assert listed(operator_client.get(url, {"industry__exact": "food"})) == {"Bolt Foods"}
    assert listed(operator_client.get(url, {"subscription__status__exact": "suspended"})) == {"Acme Gears"}
    assert listed(operator_client.get(url, {"subscription__status__exact": "trialing"})) == {"Bolt Foods"}
    assert listed(operator_client.get(url, {"subscription__tier__exact": "starter"})) == {"Acme Gears"}
    assert listed(operator_client.get(url, {"subscription__tier__exact": "enterprise"})) == set()
    since = (timezone.now() - timedelta(days=7)).isoformat()
    assert listed(operator_client.get(url, {"created_at__gte": since})) == {"Acme Gears", "Bolt Foods"}
    assert listed(operator_client.get(url, {"created_at__lt": since})) == set()


def test_subscriptions_are_filtered_by_hold_and_comp(make_organization, operator, operator_client):
    from platform_admin import services

    held, comped, plain = (make_organization(name=name) for name in ("Held Works", "Comped Works", "Plain Works"))
    services.operator_suspend(subscription=held.subscription, actor=operator, reason="Chargeback")
    services.operator_comp(subscription=comped.subscription, actor=operator, tier="enterprise", reason="Pilot")
    url = reverse("admin:subscriptions_subscription_changelist")

    def names(query):
        return {s.organization.name for s in operator_client.get(url, query).context["cl"].result_list}

    assert names({"held": "yes"}) == {"Held Works"}
    assert names({"held": "no"}) == {"Comped Works", "Plain Works"}
    assert names({"comped": "yes"}) == {"Comped Works"}
    assert names({"status__exact": "trialing"}) == {"Held Works", "Comped Works", "Plain Works"}
    page = operator_client.get(url).content.decode()
    assert "suspended by an operator" in page and "enterprise free (comp)" in page


def test_the_detail_page_shows_users_usage_and_history(organization, operator_client):
    member = tenant_user(organization, role="member", email="mia@acme.example.com")
    UsageSnapshot.objects.create(organization=organization, users=2, plants=1, storage_bytes=2048)
    page = operator_client.get(reverse("admin:tenants_organization_change", args=[organization.pk])).content.decode()
    assert member.email in page and "start_trial" in page and "2.0\xa0KB" in page


def test_the_usage_page_lists_top_organizations_and_violations(make_organization, operator_client):
    small, big = make_organization(name="Small Works"), make_organization(name="Big Works")
    UsageSnapshot.objects.create(organization=small, users=3, plants=1, storage_bytes=0)
    UsageSnapshot.objects.create(organization=big, users=30, plants=9, storage_bytes=0)
    response = operator_client.get(reverse("admin:usage"), {"metric": "plants"})
    assert [row.organization.name for row in response.context["top"]] == ["Big Works", "Small Works"]
    assert [row.organization.name for row in response.context["violations"]] == ["Big Works"]


def test_the_detail_page_shows_what_is_over_the_limit_now(organization, operator_client,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billed(organization, tier="starter")  # a customer Stripe bills for Starter (3 users)
    for _ in range(3):
        tenant_user(organization, role="member")  # 4 users on a 3-user plan
    page = operator_client.get(reverse("admin:tenants_organization_change", args=[organization.pk])).content.decode()
    assert 'id="organization-violations"' in page
    body = operator_client.get(f"/api/v1/admin/organizations/{organization.pk}").json()
    assert [(v["resource"], v["used"], v["limit"]) for v in body["violations"]] == [("users", 4, 3)]
