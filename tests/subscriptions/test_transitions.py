"""Every named transition from every status: the legal ones move and are recorded, the rest raise.

The status is the billing status (it mirrors Stripe); an operator's hold and comp are named
changes beside it that keep it as it is. ``transition_between`` names the move for a status
Stripe reports, and refuses the moves no named transition makes.
"""

from __future__ import annotations

import itertools

import pytest

from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.services import BillingState, subscription_mirror, subscription_transition
from subscriptions.states import TRANSITIONS, IllegalTransition, target_of, transition_between
from tests.conftest import billed
from unison.errors import ApplicationError

T, A, P, S, C = Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.CANCELLED
ANY = {T, A, P, S, C}
LIVE = {T, A, P}

# The whole table, written out: a change to it must be a change to this test too.
EXPECTED = {
    "convert": ({T, S}, A),
    "expire_trial": ({T}, S),
    "extend_trial": ({T}, None),
    "reopen_trial": ({S}, T),
    "set_trial_end": ({T}, None),
    "payment_failed": (LIVE, P),
    "suspend_for_nonpayment": (LIVE, S),
    "payment_recovered": ({P, S}, A),
    "schedule_cancel": (LIVE, None),
    "resume": (LIVE, None),
    "cancel": (frozenset({T, A, P, S}), C),
    "resubscribe": ({C}, A),
    "change_plan": ({T, A, P, S}, None),
    "start_paid_trial": ({T}, None),
    "schedule_change": (LIVE, None),
    "unschedule_change": ({T, A, P, S}, None),
    "hold": (ANY, None),
    "release_hold": (ANY, None),
    "comp": (ANY, None),
    "end_comp": (ANY, None),
    "storage_overage_on": ({A}, None),
    "storage_overage_off": (ANY, None),
}


def put(subscription: Subscription, status: str) -> Subscription:
    Subscription.objects.filter(pk=subscription.pk).update(status=status)
    subscription.refresh_from_db()
    return subscription


def test_the_table_is_the_new_one():
    assert {name: (set(t.sources), t.target) for name, t in TRANSITIONS.items()} == EXPECTED


def test_the_transitions_of_the_old_money_model_are_gone():
    """Plans, add-ons and operator suspensions no longer move the status: Stripe's mirror and the hold do."""
    removed = {"suspend", "reactivate", "change_tier", "schedule_downgrade", "apply_pending_tier", "set_add_on"}
    assert removed.isdisjoint(TRANSITIONS)


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_each_transition_moves_from_its_sources_and_refuses_every_other_status(organization, name):
    subscription = organization.subscription
    transition = TRANSITIONS[name]
    for status in Status.values:
        put(subscription, status)
        events_before = SubscriptionEvent.objects.filter(subscription=subscription).count()
        if status in transition.sources:
            subscription_transition(subscription=subscription, name=name, actor="tester", why="test")
            expected = transition.target or status
            assert Subscription.objects.get(pk=subscription.pk).status == expected
            event = SubscriptionEvent.objects.filter(subscription=subscription).first()
            assert (event.transition, event.from_status, event.to_status) == (name, status, expected)
            assert (event.actor, event.details) == ("tester", {"why": "test"})
        else:
            with pytest.raises(IllegalTransition) as raised:
                subscription_transition(subscription=subscription, name=name, actor="tester")
            assert (raised.value.name, raised.value.from_status) == (name, status)
            assert Subscription.objects.get(pk=subscription.pk).status == status
            assert SubscriptionEvent.objects.filter(subscription=subscription).count() == events_before


def test_the_state_machine_matches_the_design():
    """DESIGN.md: trialing → active/suspended, active → past_due → suspended, back to active, any → cancelled."""
    moves = {(source, t.target) for t in TRANSITIONS.values() if t.target for source in t.sources
             if source != t.target}
    assert {(T, A), (T, S), (A, P), (P, S), (P, A), (S, A)} <= moves
    assert {(status, C) for status in (T, A, P, S)} <= moves
    assert not any(source == C and target != A for source, target in moves)
    assert (A, T) not in moves and (C, T) not in moves and (P, T) not in moves


def test_the_hold_and_the_comp_sit_beside_the_billing_status():
    """DESIGN.md: an operator's hold and comp never move the status, from whatever status it is in."""
    for name in ("hold", "release_hold", "comp", "end_comp"):
        assert (set(TRANSITIONS[name].sources), TRANSITIONS[name].target) == (ANY, None), name


# What Stripe can report after each of our statuses (the mirror asks only when the status changes).
STRIPE_MOVES = {
    (T, A): "convert",
    (T, P): "payment_failed",
    (T, S): "suspend_for_nonpayment",
    (T, C): "cancel",
    (A, P): "payment_failed",
    (A, S): "suspend_for_nonpayment",
    (A, C): "cancel",
    (P, A): "payment_recovered",
    (P, S): "suspend_for_nonpayment",
    (P, C): "cancel",
    (S, C): "cancel",
    (C, A): "resubscribe",
}
IMPOSSIBLE = [(A, T), (P, T), (S, T), (S, P), (C, T), (C, P), (C, S)]


def test_every_pair_of_different_statuses_is_either_a_stripe_move_or_impossible():
    pairs = {(s, t) for s, t in itertools.product(Status.values, repeat=2) if s != t}
    # suspended → active is the one pair whose name depends on why it was suspended: tested below.
    assert pairs == set(STRIPE_MOVES) | set(IMPOSSIBLE) | {(S, A)}
    assert not set(STRIPE_MOVES) & set(IMPOSSIBLE)


@pytest.mark.parametrize(("source", "target"), sorted(STRIPE_MOVES))
def test_transition_between_names_the_move_stripe_reports(source, target):
    name = transition_between(source, target)
    assert name == STRIPE_MOVES[(source, target)]
    # The name it gives really is a transition of the table from that status to that status.
    assert target_of(name, source) == target


@pytest.mark.parametrize(
    ("suspension_reason", "name"),
    [("payment_failed", "payment_recovered"), ("trial_expired", "convert"), ("", "convert")],
)
def test_a_suspended_subscription_becoming_active_is_a_recovery_only_after_nonpayment(suspension_reason, name):
    assert transition_between(S, A, suspension_reason=suspension_reason) == name
    assert target_of(name, S) == A


@pytest.mark.parametrize(("source", "target"), IMPOSSIBLE)
def test_a_pair_no_transition_makes_is_refused(source, target):
    with pytest.raises(IllegalTransition) as raised:
        transition_between(source, target)
    assert raised.value.from_status == source
    assert (raised.value.code, raised.value.status, raised.value.field) == ("illegal_transition", 409, "status")


def test_the_mirror_refuses_an_impossible_status_and_writes_nothing(organization):
    billed(organization, status=Status.CANCELLED)
    subscription = Subscription.objects.get(pk=organization.subscription.pk)
    events_before = SubscriptionEvent.objects.filter(subscription=subscription).count()
    with pytest.raises(IllegalTransition):
        subscription_mirror(subscription=subscription, state=BillingState(
            stripe_subscription_id="sub_test_1", status=Status.PAST_DUE, tier="starter", billing_cycle="monthly",
            mrr_cents=2900))
    stored = Subscription.objects.get(pk=subscription.pk)
    assert (stored.status, stored.mrr_cents) == (Status.CANCELLED, 0)
    assert SubscriptionEvent.objects.filter(subscription=subscription).count() == events_before


def test_an_illegal_transition_names_what_was_refused():
    error = IllegalTransition("change_plan", Status.CANCELLED)
    assert str(error) == "“change_plan” is not allowed while the subscription is cancelled."
    # It is a refusal like any other: the API answers 409 naming the status.
    assert isinstance(error, ApplicationError)
    assert (error.name, error.from_status, error.status) == ("change_plan", Status.CANCELLED, 409)
    assert error.as_dict() == {"code": "illegal_transition", "detail": str(error), "status": [str(error)]}
