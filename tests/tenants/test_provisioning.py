"""Provisioning an organisation: organisation, domain, schema and owner, all or nothing."""

from __future__ import annotations

import sys

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context, schema_exists

from accounts.models import User, UserManager
from subscriptions.services import organization_create_with_trial
from tenants.models import Domain, Organization
from tenants.services import organization_provision
from tenants.slugs import schema_name_for
from tests.conftest import PASSWORD, unique_slug


def provision(slug: str, **overrides):
    arguments = dict(name="Bolt Works", slug=slug, owner_email="owner@bolt.example.com", owner_password=PASSWORD)
    arguments.update(overrides)
    return organization_create_with_trial(**arguments)


def assert_nothing_made(slug: str, rows_before: tuple[int, int]) -> None:
    assert (Organization.objects.count(), Domain.objects.count()) == rows_before
    assert not Organization.objects.filter(slug=slug).exists()
    assert not schema_exists(schema_name_for(slug))


def row_counts() -> tuple[int, int]:
    return Organization.objects.count(), Domain.objects.count()


def test_it_makes_the_organization_domain_schema_owner_and_trial(db):
    slug = unique_slug("bolt")
    organization = provision(slug, owner_name="Bea Bolt", owner_email="Bea@Bolt.Example.com", industry="plastics")

    organization.refresh_from_db()
    assert organization.slug == slug
    assert organization.schema_name == schema_name_for(slug)
    assert organization.industry == "plastics"
    assert organization.email == "bea@bolt.example.com"
    assert organization.is_active
    assert list(organization.domains.values_list("domain", "is_primary")) == [(f"{slug}.localhost", True)]
    assert schema_exists(organization.schema_name)
    assert organization.subscription.status == "trialing"
    with schema_context(organization.schema_name):
        owner = User.objects.get()
        assert (owner.email, owner.full_name, owner.role) == ("bea@bolt.example.com", "Bea Bolt", "owner")
        assert owner.check_password(PASSWORD)
    assert not User.objects.filter(email="bea@bolt.example.com").exists(), "the owner must not live in public"


BAD_SLUGS = [
    ("ab", "Use between 3 and 40 characters."),
    ("a" * 41, "Use between 3 and 40 characters."),
    ("Acme", "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."),
    ("acme_works", "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."),
    ("-acme", "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."),
    ("acme-", "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."),
    ("ac me", "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."),
    ("acme--works", "Use single hyphens between words."),
] + [
    (word, "This subdomain is reserved. Please choose another.")
    for word in ("www", "admin", "api", "app", "static", "media", "mail", "stripe", "public", "template")
]


@pytest.mark.parametrize(("slug", "message"), BAD_SLUGS)
def test_it_refuses_a_bad_slug_with_its_reason_and_makes_nothing(db, slug, message):
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        provision(slug)
    assert caught.value.message_dict == {"subdomain": [message]}
    assert_nothing_made(slug, before)


def test_it_refuses_a_taken_slug_and_leaves_the_first_organization_alone(db):
    slug = unique_slug("taken")
    first = provision(slug)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        provision(slug, name="Second Comer", owner_email="second@example.com")
    assert caught.value.message_dict == {"subdomain": ["This subdomain is taken. Please choose another."]}
    assert row_counts() == before
    with schema_context(first.schema_name):
        assert list(User.objects.values_list("email", flat=True)) == [first.email]


def test_it_names_every_bad_field_at_once(db):
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        provision("x", name="  ", owner_email="not-an-email", owner_password="short")
    assert set(caught.value.message_dict) == {"organization_name", "subdomain", "email", "password"}
    assert_nothing_made("x", before)


def test_a_failure_after_the_schema_exists_leaves_no_row_and_no_schema(db, monkeypatch):
    slug = unique_slug("doomed")
    seen = {}

    def fail_after_clone(self, *args, **kwargs):
        seen["schema_existed"] = schema_exists(schema_name_for(slug))
        raise RuntimeError("disk full while creating the owner")

    monkeypatch.setattr(UserManager, "create_user", fail_after_clone)
    before = row_counts()
    with pytest.raises(RuntimeError, match="disk full"):
        organization_provision(name="Doomed", slug=slug, owner_email="o@doomed.example.com", owner_password=PASSWORD)
    assert seen == {"schema_existed": True}
    assert_nothing_made(slug, before)


def test_a_failure_while_opening_the_trial_undoes_the_whole_signup(db, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("trial could not start")

    # Patch the name where organization_create_with_trial looks it up.
    monkeypatch.setattr(sys.modules[organization_create_with_trial.__module__], "subscription_start_trial", fail)
    slug = unique_slug("notrial")
    before = row_counts()
    with pytest.raises(RuntimeError, match="trial could not start"):
        provision(slug)
    assert_nothing_made(slug, before)


def test_the_slug_can_be_used_again_after_a_failed_attempt(db, monkeypatch):
    def fail(self, *args, **kwargs):
        raise RuntimeError("boom")

    slug = unique_slug("retry")
    with monkeypatch.context() as patch:
        patch.setattr(UserManager, "create_user", fail)
        with pytest.raises(RuntimeError):
            provision(slug)
    organization = provision(slug)
    assert schema_exists(organization.schema_name)


def test_a_slug_taken_by_a_concurrent_signup_after_the_check_is_a_clear_error(db, monkeypatch):
    import tenants.services

    slug = unique_slug("race")
    provision(slug)
    monkeypatch.setattr(tenants.services, "organization_validate", lambda **kwargs: None)  # the check ran earlier
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        provision(slug, owner_email="late@example.com")
    assert caught.value.message_dict == {"subdomain": ["This subdomain is taken. Please choose another."]}
    assert row_counts() == before
