"""Limits at the boundary, with add-ons: the 3rd Starter user fits, the 4th does not, unless one is bought."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from subscriptions.catalog import GB
from subscriptions.limits import LimitExceeded, can_add_plant, can_add_user, has_storage_for, limit_check, limit_enforce
from tests.conftest import billed, tenant_user
from tests.media import tenant_media_root


@pytest.fixture
def starter(organization, django_capture_on_commit_callbacks):
    """An organisation Stripe bills for Starter (3 users, 1 plant, 10 GB)."""
    with django_capture_on_commit_callbacks(execute=True):
        billed(organization, tier="starter")
    assert organization.subscription.tier == "starter"
    return organization


def buy(organization, kind: str, quantity: int, capture) -> None:
    """Make Stripe bill the Starter plan with ``quantity`` of the add-on ``kind``."""
    with capture(execute=True):
        billed(organization, tier="starter", add_ons={kind: quantity})


def add_plant(organization, code: str) -> None:
    with schema_context(organization.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shopfloor_plant (name, code, time_zone, address, created_at) VALUES (%s, %s, 'UTC', '', now())",
            [f"Plant {code}", code],
        )


def test_the_third_starter_user_fits_and_the_fourth_is_refused(starter):
    tenant_user(starter)  # the owner and one teammate
    assert can_add_user(starter)
    tenant_user(starter)
    check = limit_check(starter, "add_user")
    assert (check.allowed, check.used, check.limit) == (False, 3, 3)
    assert check.message == ("Your plan includes 3 users and you have 3. "
                             "Add the Extra user add-on ($5 per user a month) or upgrade to Professional (25 users).")
    with pytest.raises(LimitExceeded) as raised:
        limit_enforce(starter, "add_user")
    assert raised.value.check.upgrade_url == "/billing/"


def test_an_extra_user_add_on_lets_the_fourth_in_and_not_the_fifth(starter, django_capture_on_commit_callbacks):
    tenant_user(starter)
    tenant_user(starter)
    buy(starter, "extra_user", 1, django_capture_on_commit_callbacks)
    assert can_add_user(starter)
    tenant_user(starter)
    assert not can_add_user(starter)


def test_deactivated_users_do_not_count(starter):
    tenant_user(starter)
    gone = tenant_user(starter)
    with schema_context(starter.schema_name):
        type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    assert can_add_user(starter)


def test_one_starter_plant_fits_and_an_extra_plant_add_on_allows_a_second(starter, django_capture_on_commit_callbacks):
    assert can_add_plant(starter)
    add_plant(starter, "P-1")
    assert not can_add_plant(starter)
    buy(starter, "extra_plant", 1, django_capture_on_commit_callbacks)
    assert can_add_plant(starter)


def test_storage_counts_the_tenants_files_and_extra_storage_raises_the_limit(
    starter, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    folder = tenant_media_root(starter) / "uploads"
    folder.mkdir(parents=True)
    (folder / "drawing.pdf").write_bytes(b"x" * 1000)
    assert limit_check(starter, "upload", nbytes=0).used == 1000
    assert has_storage_for(starter, 10 * GB - 1000)
    assert not has_storage_for(starter, 10 * GB - 999)
    buy(starter, "extra_storage", 1, django_capture_on_commit_callbacks)
    assert has_storage_for(starter, 11 * GB - 1000)


def test_enterprise_has_no_limits(organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billed(organization, tier="enterprise")
    check = limit_check(organization, "add_user")
    assert (check.allowed, check.limit) == (True, None)
    assert has_storage_for(organization, 10**15)


def test_an_unknown_action_is_a_programming_error(organization):
    with pytest.raises(ValueError):
        limit_check(organization, "add_robot")
