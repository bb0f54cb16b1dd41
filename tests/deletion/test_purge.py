"""The purge: once due (or at once for a legal request), nothing of the workspace is left to find.

Real parts: PostgreSQL (the schema is dropped), localstripe (the customer is deleted there), the files on
disk. The one stand-in: "purge interrupted" raises from our own file step, to cut a purge short where a
crash would (fault injection, not a mock of anything external).
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse as _reverse
from django.utils import timezone
from django_tenants.utils import schema_context
from djstripe.models import Customer as StripeCustomer

from billing import gateway
from billing.services import billing_customer_ensure
from deletion import services
from domains.models import CustomDomain
from notifications.models import NotificationLog
from platform_admin.models import AuditEntry
from subscriptions.models import Subscription, UsageSnapshot
from tenants.models import Domain, LoginToken, Organization
from tenants.services import login_token_issue
from tests.conftest import client_for, tenant_user
from tests.deletion.conftest import ask
from tests.domains.conftest import verified_domain
from tests.platform_admin.conftest import console_client, operator, public_user  # noqa: F401
from tests.security.factories import workspace_fill
from tests.shopfloor.conftest import plan_set

pytestmark = pytest.mark.django_db
reverse = partial(_reverse, urlconf="unison.urls_public")


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def files_make(organization, media_root: Path) -> list[Path]:
    """Give the workspace a file in its storage, an export zip and a logo; return their paths."""
    with schema_context(organization.schema_name):
        stored = Path(default_storage.path(default_storage.save("drawings/part.txt", ContentFile(b"drawing"))))
    export = media_root / "tenants" / organization.schema_name / "exports" / "x.zip"
    logo = media_root / "tenants" / organization.schema_name / "branding" / "logo.png"
    for path in (export, logo):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"data")
    assert stored.is_file() and organization.schema_name in stored.parts
    return [stored, export, logo]


DOOMED_HOST = "mes.doomed.example.test"


@pytest.fixture
def doomed(make_organization, stripe_catalog, media_root, settings):
    """A filled workspace with a Stripe customer, files, a login token and usage, whose deletion is due."""
    organization = make_organization(name="Doomed Works")
    owner = tenant_user(organization, role="owner")
    workspace_fill(organization, "Doomed")
    settings.DOMAINS_TXT_RESOLVER = "tests.domains.resolver.txt_records"  # no DNS in tests
    plan_set(organization, "enterprise")
    verified_domain(organization, DOOMED_HOST)
    customer_id = billing_customer_ensure(organization=organization)
    paths = files_make(organization, media_root)
    login_token_issue(organization=organization, user_id=owner.pk)
    UsageSnapshot.objects.create(organization=organization, users=1, plants=1, storage_bytes=1)
    assert ask(client_for(organization, owner), "Doomed Works").status_code == 202
    connection.set_schema_to_public()
    Organization.objects.filter(pk=organization.pk).update(deletion_due_at=timezone.now() - timedelta(seconds=1))
    return {
        "organization": organization,
        "owner": owner,
        "customer_id": customer_id,
        "paths": paths,
        "slug": organization.slug,
        "schema": organization.schema_name,
        "email": organization.email,
    }


@pytest.fixture
def bystander(make_organization, media_root):
    organization = make_organization(name="Bystander Ltd")
    return organization, files_make(organization, media_root)


def assert_nothing_left(doomed, bystander):
    org = Organization.objects.get(pk=doomed["organization"].pk)
    assert (org.name, org.slug, org.email, org.is_active) == ("Deleted workspace", f"deleted-{org.pk}", "", False)
    assert org.deleted_at is not None and org.deletion_requested_by == ""
    assert not schema_exists(doomed["schema"])
    assert not Domain.objects.filter(tenant=org).exists()
    assert not Domain.objects.filter(domain__startswith=doomed["slug"]).exists()
    assert not Domain.objects.filter(domain=DOOMED_HOST).exists()
    assert not CustomDomain.objects.filter(host=DOOMED_HOST).exists()
    assert not StripeCustomer.objects.filter(id=doomed["customer_id"]).exists()
    with pytest.raises(gateway.BillingRejected) as gone:
        gateway.customer_retrieve(doomed["customer_id"])
    assert gateway.is_missing(gone.value)
    assert not any(path.exists() for path in doomed["paths"])
    assert not (Path(settings.MEDIA_ROOT) / "tenants" / doomed["schema"]).exists()
    assert not LoginToken.objects.filter(organization=org).exists()
    assert not NotificationLog.objects.filter(organization=org).exists()
    assert not UsageSnapshot.objects.filter(organization=org).exists()
    subscription = Subscription.objects.get(organization=org)
    assert subscription.status == "cancelled" and subscription.stripe_customer_id == ""
    for text in (doomed["slug"], "Doomed Works", doomed["email"]):
        assert not Organization.objects.filter(name__icontains=text).exists()
        assert not Organization.objects.filter(slug__icontains=text).exists()
    assert client_for(doomed["organization"]).get("/").status_code == 404  # the host is no one's
    purged = AuditEntry.objects.get(organization_id=org.pk, action="deletion_purge")
    assert purged.details["former_slug"] == doomed["slug"]
    other, paths = bystander
    assert schema_exists(other.schema_name) and Domain.objects.filter(tenant=other).exists()
    assert all(path.exists() for path in paths), [(str(p), p.exists()) for p in paths]


def test_the_daily_purge_leaves_nothing_of_the_workspace_but_its_audit_entries(doomed, bystander):
    assert services.deletions_purge_due() == 1
    assert_nothing_left(doomed, bystander)
    assert services.deletions_purge_due() == 0  # nothing due any more
    # The address is free again.
    again = Organization.objects.create(
        name="New Doomed", slug=doomed["slug"], schema_name="t_new_doomed", email="new@example.com"
    )
    assert again.pk != doomed["organization"].pk


def test_a_purge_cut_short_is_finished_by_the_next_run_once(doomed, bystander, monkeypatch):
    def crash(schema_name):
        raise RuntimeError("the machine went down")

    monkeypatch.setattr(services, "_media_remove", crash)
    assert services.deletions_purge_due() == 0
    org = Organization.objects.get(pk=doomed["organization"].pk)
    assert org.deleted_at is None and not schema_exists(doomed["schema"])  # half done: Stripe and the schema
    assert Domain.objects.filter(tenant=org).exists()
    monkeypatch.undo()
    assert services.deletions_purge_due() == 1
    assert_nothing_left(doomed, bystander)
    assert services.deletion_purge(organization_id=org.pk).deleted_at is not None  # once more: a no-op
    assert AuditEntry.objects.filter(organization_id=org.pk, action="deletion_purge").count() == 1


def test_a_deletion_not_yet_due_is_left_alone(make_organization):
    organization = make_organization(name="Patient Works")
    ask(client_for(organization, tenant_user(organization, role="owner")), "Patient Works")
    connection.set_schema_to_public()
    assert services.deletions_purge_due() == 0
    assert schema_exists(organization.schema_name)
    with pytest.raises(services.ApplicationError):
        services.deletion_purge(organization_id=organization.pk)


def test_the_console_and_its_api_find_nothing_but_the_audit_entries(doomed, bystander, operator):  # noqa: F811
    services.deletions_purge_due()
    client = console_client(operator)
    for text in (doomed["slug"], "Doomed Works", doomed["email"]):
        listed = client.get(reverse("admin:tenants_organization_changelist"), {"q": text})
        assert listed.status_code == 200 and listed.context["cl"].result_count == 0, text
        api = client.get("/api/v1/admin/organizations", {"search": text})
        assert api.status_code == 200 and api.json()["count"] == 0, text
    audit = client.get(reverse("admin:platform_admin_auditentry_changelist"), {"q": doomed["email"]})
    assert {entry.action for entry in audit.context["cl"].result_list} == {"deletion_request"}
    page = client.get(reverse("admin:tenants_organization_change", args=[doomed["organization"].pk]))
    assert page.status_code == 200 and b"Deleted workspace" in page.content
    assert page.context["users"] == []  # not the public schema's users (its own schema is gone)


def test_an_operator_deletes_at_once_for_a_legal_request(make_organization, stripe_catalog, operator):  # noqa: F811
    organization = make_organization(name="Legal Works")
    customer_id = billing_customer_ensure(organization=organization)
    url = reverse("admin:tenants_organization_delete_now", args=[organization.pk])
    client = console_client(operator)
    assert b"Type the workspace" in client.get(url).content
    wrong = client.post(url, {"reason": "Court order 12", "confirm_slug": "nope"})
    assert wrong.status_code == 200 and f"Type “{organization.slug}” exactly".encode() in wrong.content
    blank = client.post(url, {"reason": "", "confirm_slug": organization.slug})
    assert blank.status_code == 200 and b"This field is required" in blank.content
    assert Organization.objects.get(pk=organization.pk).deletion_due_at is None
    assert client.post(url, {"reason": "Court order 12", "confirm_slug": organization.slug}).status_code == 302
    org = Organization.objects.get(pk=organization.pk)
    assert org.deleted_at is not None and not schema_exists(organization.schema_name)
    assert not StripeCustomer.objects.filter(id=customer_id).exists()
    now = AuditEntry.objects.get(organization_id=org.pk, action="deletion_now")
    assert now.actor_email == operator.email and now.details == {"reason": "Court order 12"}


@pytest.mark.parametrize("role", ["support", "finance"])
def test_only_an_owner_operator_may_delete_at_once(make_organization, role):
    organization = make_organization(name="Kept Works")
    client = console_client(public_user(f"{role}@unison.test", is_staff=True, is_superuser=True, console_role=role))
    url = reverse("admin:tenants_organization_delete_now", args=[organization.pk])
    assert client.post(url, {"reason": "x", "confirm_slug": organization.slug}).status_code == 403
    assert Organization.objects.get(pk=organization.pk).deletion_due_at is None
    assert schema_exists(organization.schema_name)
