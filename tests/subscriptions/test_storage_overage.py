"""Storage overage as an entitlement: who may go past the storage limit, from what Stripe bills (no Stripe here).

``billed`` runs the real mirror with the state billing would read from Stripe; the metered item id is
what Stripe's subscription would carry once the owner opted in.
"""

from __future__ import annotations

import pytest

from subscriptions.catalog import GB
from subscriptions.entitlements import entitlements_for, gb_over
from subscriptions.limits import limit_check
from subscriptions.services import subscription_hold, subscription_storage_overage_set
from subscriptions.states import IllegalTransition
from tests.conftest import billed
from tests.media import tenant_media_root


@pytest.fixture
def over_the_limit(organization, settings, tmp_path):
    """A Starter workspace (10 GB) storing 12 GB."""
    settings.MEDIA_ROOT = str(tmp_path)
    folder = tenant_media_root(organization)
    folder.mkdir(parents=True)
    with open(folder / "scans.bin", "wb") as handle:
        handle.truncate(12 * GB)
    return organization


def _opted_in(organization, capture, **state):
    with capture(execute=True):
        subscription = billed(organization, tier="starter", storage_overage_item_id="si_overage", **state)
        return subscription_storage_overage_set(subscription=subscription, enabled=True, actor="owner@example.com")


def test_an_opted_in_paid_plan_may_upload_past_the_limit(over_the_limit, django_capture_on_commit_callbacks):
    _opted_in(over_the_limit, django_capture_on_commit_callbacks)

    assert entitlements_for(over_the_limit).storage_overage
    check = limit_check(over_the_limit, "upload", nbytes=GB)
    assert (check.allowed, check.limit, check.used) == (True, 10 * GB, 12 * GB)


def test_without_the_metered_item_in_stripe_the_hard_limit_stands(over_the_limit, django_capture_on_commit_callbacks):
    subscription = _opted_in(over_the_limit, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        billed(over_the_limit, tier="starter")  # Stripe's subscription no longer has the item

    subscription.refresh_from_db()
    assert (subscription.storage_overage_enabled, subscription.storage_overage_item_id) == (False, "")
    assert not limit_check(over_the_limit, "upload", nbytes=1).allowed


def test_a_plan_not_paid_up_keeps_the_hard_limit(over_the_limit, django_capture_on_commit_callbacks):
    _opted_in(over_the_limit, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        billed(over_the_limit, tier="starter", status="past_due", storage_overage_item_id="si_overage")

    assert not entitlements_for(over_the_limit).storage_overage
    assert not limit_check(over_the_limit, "upload", nbytes=1).allowed


def test_a_trial_cannot_turn_it_on(over_the_limit):
    with pytest.raises(IllegalTransition):
        subscription_storage_overage_set(subscription=over_the_limit.subscription, enabled=True, actor="owner")
    over_the_limit.subscription.refresh_from_db()
    assert over_the_limit.subscription.storage_overage_enabled is False


def test_an_operators_hold_beats_the_overage(over_the_limit, django_capture_on_commit_callbacks):
    subscription = _opted_in(over_the_limit, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        subscription_hold(subscription=subscription, actor="operator@example.com", reason="fraud check")

    assert not limit_check(over_the_limit, "upload", nbytes=1).allowed


def test_overage_counts_whole_gigabytes_past_the_limit():
    assert [gb_over(n, 10) for n in (0, 10 * GB, 10 * GB + 1, 11 * GB, int(12.5 * GB))] == [0, 0, 1, 1, 3]
    assert gb_over(10**15, None) == 0
