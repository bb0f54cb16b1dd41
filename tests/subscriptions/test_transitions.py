"""Every named transition from every status: the legal ones move and are recorded, the rest raise."""

from __future__ import annotations

import pytest

from subscriptions.models import Status, Subscription, SubscriptionEvent
from subscriptions.services import subscription_transition
from subscriptions.states import TRANSITIONS, IllegalTransition


def put(subscription: Subscription, status: str) -> Subscription:
    Subscription.objects.filter(pk=subscription.pk).update(status=status)
    subscription.refresh_from_db()
    return subscription


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
            assert (raised.value.name, raised.value.status) == (name, status)
            assert Subscription.objects.get(pk=subscription.pk).status == status
            assert SubscriptionEvent.objects.filter(subscription=subscription).count() == events_before


def test_the_state_machine_matches_the_design():
    """DESIGN.md: trialing → active/suspended, active → past_due → suspended, back to active, any → cancelled."""
    moves = {(source, t.target) for t in TRANSITIONS.values() if t.target for source in t.sources}
    T, A, P, S, C = Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.CANCELLED
    assert {(T, A), (T, S), (A, P), (P, S), (P, A), (S, A)} <= moves
    assert {(status, C) for status in (T, A, P, S)} <= moves
    assert not any(source == C and target != A for source, target in moves)
    assert (A, T) not in moves and (C, T) not in moves


def test_an_illegal_transition_names_what_was_refused():
    error = IllegalTransition("change_tier", Status.PAST_DUE)
    assert str(error) == "“change_tier” is not allowed while the subscription is past due."
