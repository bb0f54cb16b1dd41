"""An operator's hold and comp, through the console's services: beside the billing status, never inside it.

A hold keeps the workspace read-only whatever Stripe says until an operator lifts it, and lifting it
restores what the billing status says. A comp gives a tier free (0 MRR). Each is audited once.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from platform_admin import services as operator
from platform_admin.models import AuditEntry
from subscriptions import catalog
from subscriptions.entitlements import entitlements_compute, entitlements_for
from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.services import BillingState, subscription_mirror
from tests.conftest import billed
from tests.platform_admin.conftest import public_user
from unison.errors import ApplicationError

STARTER_MRR = catalog.tier("starter").monthly_equivalent_cents("monthly")


@pytest.fixture
def ops(db):
    return public_user("ops@unison.test", is_staff=True, is_superuser=True)


def stored(subscription: Subscription) -> Subscription:
    return Subscription.objects.get(pk=subscription.pk)


def audit() -> list[tuple[str, dict]]:
    return list(AuditEntry.objects.order_by("id").values_list("action", "details"))


def events(subscription: Subscription, *names: str) -> list[SubscriptionEvent]:
    return list(SubscriptionEvent.objects.filter(subscription=subscription, transition__in=names).order_by("id"))


def active_state(**changes) -> BillingState:
    return BillingState(**{"stripe_subscription_id": "sub_test_1", "status": Status.ACTIVE, "tier": "starter",
                           "billing_cycle": "monthly", "mrr_cents": STARTER_MRR, **changes})


# The hold


def test_a_hold_on_a_trial_is_audited_once_and_keeps_the_billing_status(organization, ops):
    trial = organization.subscription
    ends = trial.trial_ends_at
    operator.operator_suspend(subscription=trial, actor=ops, reason="  Chargeback on the card ")
    held = stored(trial)
    assert (held.status, held.trial_ends_at, held.suspension_reason) == (Status.TRIALING, ends, "")
    assert held.held_at is not None and held.hold_reason == "Chargeback on the card"
    [(action, details)] = audit()
    assert action == "subscription_suspend" and details["reason"] == "Chargeback on the card"
    assert details["status"] == [Status.TRIALING, Status.TRIALING] and "held_at" in details["changes"]
    [event] = events(trial, "hold")
    assert (event.from_status, event.to_status, event.actor) == (Status.TRIALING, Status.TRIALING, ops.email)
    rights = entitlements_compute(held)
    assert (rights.status, rights.read_only, rights.held) == ("suspended", True, True)


def test_a_hold_survives_stripe_saying_active(organization, ops, django_capture_on_commit_callbacks):
    billed(organization, tier="starter")
    with django_capture_on_commit_callbacks(execute=True):
        operator.operator_suspend(subscription=organization.subscription, actor=ops, reason="Fraud review")
    # Stripe goes on billing: the same state again, a renewal, then a failure and its recovery.
    states = [active_state(), active_state(mrr_cents=STARTER_MRR + 100),
              active_state(status=Status.PAST_DUE), active_state()]
    for state in states:
        with django_capture_on_commit_callbacks(execute=True):
            subscription_mirror(subscription=organization.subscription, state=state)
        now = stored(organization.subscription)
        assert now.status == state.status and now.held_at is not None and now.hold_reason == "Fraud review"
        rights = entitlements_for(organization)
        assert (rights.status, rights.read_only, rights.held) == ("suspended", True, True)
    moved = [e.transition for e in events(organization.subscription, "change_plan", "payment_failed",
                                          "payment_recovered")]
    assert moved == ["change_plan", "payment_failed", "payment_recovered"]  # the mirror did apply each
    assert [action for action, _ in audit()] == ["subscription_suspend"]
    with django_capture_on_commit_callbacks(execute=True):
        operator.operator_reactivate(subscription=organization.subscription, actor=ops)
    rights = entitlements_for(organization)
    assert (rights.status, rights.read_only, rights.held) == (Status.ACTIVE, False, False)


def test_lifting_the_hold_on_a_trial_restores_trialing_with_the_same_end(organization, ops):
    trial = organization.subscription
    ends = trial.trial_ends_at
    operator.operator_suspend(subscription=trial, actor=ops, reason="Chargeback")
    operator.operator_reactivate(subscription=trial, actor=ops)
    back = stored(trial)
    # The old "reactivate" made a trial paid (active); lifting a hold now restores what billing says.
    assert (back.status, back.trial_ends_at, back.held_at, back.hold_reason) == (Status.TRIALING, ends, None, "")
    assert (back.trial_converted, back.mrr_cents, back.stripe_subscription_id) == (False, 0, "")
    rights = entitlements_compute(back)
    assert (rights.status, rights.read_only, rights.days_left_in_trial) == (Status.TRIALING, False, 14)
    assert [action for action, _ in audit()] == ["subscription_suspend", "subscription_reactivate"]
    assert audit()[1][1]["reason"] == "Chargeback"
    assert [e.transition for e in events(trial, "hold", "release_hold")] == ["hold", "release_hold"]


def test_lifting_the_hold_on_a_paying_customer_restores_active(organization, ops):
    subscription = billed(organization, tier="starter")
    operator.operator_suspend(subscription=subscription, actor=ops, reason="Chargeback")
    operator.operator_reactivate(subscription=subscription, actor=ops)
    back = stored(subscription)
    assert (back.status, back.held_at, back.mrr_cents) == (Status.ACTIVE, None, STARTER_MRR)
    assert not entitlements_compute(back).read_only


def test_lifting_a_hold_that_is_not_there_is_refused_and_writes_nothing(organization, ops):
    events_before = SubscriptionEvent.objects.count()
    with pytest.raises(ApplicationError) as raised:
        operator.operator_reactivate(subscription=organization.subscription, actor=ops)
    assert (raised.value.code, raised.value.status, raised.value.field) == ("not_held", 409, "status")
    assert audit() == [] and SubscriptionEvent.objects.count() == events_before
    assert stored(organization.subscription).status == Status.TRIALING


def test_a_second_hold_is_refused_and_keeps_the_first_reason(organization, ops):
    operator.operator_suspend(subscription=organization.subscription, actor=ops, reason="First")
    with pytest.raises(ApplicationError) as raised:
        operator.operator_suspend(subscription=organization.subscription, actor=ops, reason="Second")
    assert (raised.value.code, raised.value.status, raised.value.field) == ("already_held", 409, "status")
    assert stored(organization.subscription).hold_reason == "First"
    assert len(audit()) == 1 and len(events(organization.subscription, "hold")) == 1


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_hold_needs_a_reason_and_writes_nothing_without_one(organization, ops, reason):
    events_before = SubscriptionEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        operator.operator_suspend(subscription=organization.subscription, actor=ops, reason=reason)
    assert list(raised.value.message_dict) == ["reason"]
    assert stored(organization.subscription).held_at is None
    assert audit() == [] and SubscriptionEvent.objects.count() == events_before


# The comp


def test_a_comp_is_audited_once_and_counted_zero(organization, ops):
    trial = organization.subscription
    operator.operator_comp(subscription=trial, actor=ops, tier="enterprise", reason=" Design partner ")
    comped = stored(trial)
    assert (comped.comp_tier, comped.comp_reason, comped.status) == ("enterprise", "Design partner", Status.TRIALING)
    assert comped.comped_at is not None and comped.mrr_cents == 0
    [(action, details)] = audit()
    assert action == "subscription_comp"
    assert (details["tier"], details["reason"]) == ("enterprise", "Design partner")
    assert details["changes"]["comp_tier"] == ["", "enterprise"]
    [event] = events(trial, "comp")
    assert (event.mrr_cents, event.details["comp_tier"]) == (0, "enterprise")
    rights = entitlements_compute(comped)
    assert (rights.tier, rights.status, rights.read_only, rights.comped) == ("enterprise", Status.ACTIVE, False, True)


def test_a_comp_adds_nothing_to_what_stripe_bills(organization, ops):
    """A paying Starter customer given Enterprise free: MRR stays what Stripe bills, through later mirrors."""
    subscription = billed(organization, tier="starter")
    operator.operator_comp(subscription=subscription, actor=ops, tier="enterprise", reason="Pilot")
    assert stored(subscription).mrr_cents == STARTER_MRR
    subscription_mirror(subscription=subscription, state=active_state())
    after = stored(subscription)
    assert (after.mrr_cents, after.tier, after.comp_tier) == (STARTER_MRR, "starter", "enterprise")
    assert entitlements_compute(after).tier == "enterprise"
    [event] = events(subscription, "comp")
    assert event.mrr_cents == STARTER_MRR


def test_ending_a_comp_is_audited_and_restores_what_stripe_bills(organization, ops):
    subscription = billed(organization, tier="starter")
    operator.operator_comp(subscription=subscription, actor=ops, tier="enterprise", reason="Pilot")
    operator.operator_end_comp(subscription=subscription, actor=ops)
    after = stored(subscription)
    assert (after.comp_tier, after.comp_reason, after.comped_at) == ("", "", None)
    assert [action for action, _ in audit()] == ["subscription_comp", "subscription_end_comp"]
    assert audit()[1][1]["changes"]["comp_tier"] == ["enterprise", ""]
    rights = entitlements_compute(after)
    assert (rights.tier, rights.status, rights.comped) == ("starter", Status.ACTIVE, False)


def test_ending_a_comp_that_is_not_there_is_refused_and_writes_nothing(organization, ops):
    with pytest.raises(ApplicationError) as raised:
        operator.operator_end_comp(subscription=organization.subscription, actor=ops)
    assert (raised.value.code, raised.value.status) == ("not_comped", 409)
    assert audit() == [] and events(organization.subscription, "end_comp") == []


@pytest.mark.parametrize(
    ("tier", "reason", "fields"),
    [
        ("gold", "Pilot", ["tier"]),
        ("", "Pilot", ["tier"]),
        ("enterprise", "", ["reason"]),
        ("enterprise", "   ", ["reason"]),
        ("gold", "", ["reason", "tier"]),
    ],
)
def test_a_bad_comp_names_the_field_and_writes_nothing(organization, ops, tier, reason, fields):
    events_before = SubscriptionEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        operator.operator_comp(subscription=organization.subscription, actor=ops, tier=tier, reason=reason)
    assert sorted(raised.value.message_dict) == fields
    assert stored(organization.subscription).comp_tier == ""
    assert audit() == [] and SubscriptionEvent.objects.count() == events_before
