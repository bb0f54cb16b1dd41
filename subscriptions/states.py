"""The subscription state machine: every named change, the statuses it starts from, where it leads."""

from __future__ import annotations

from typing import NamedTuple

from subscriptions.models import Status


class IllegalTransition(Exception):
    """A transition was asked for from a status it does not start from."""

    def __init__(self, name: str, status: str):
        super().__init__(f"“{name}” is not allowed while the subscription is {status.replace('_', ' ')}.")
        self.name, self.status = name, status


class Transition(NamedTuple):
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (a named change within a status)


T, A, P, S, C = Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.CANCELLED

TRANSITIONS: dict[str, Transition] = {
    # Checkout completed: the trial (or a lapsed trial) becomes a paid plan.
    "convert": Transition(frozenset({T, S}), A),
    # The trial ended without payment.
    "expire_trial": Transition(frozenset({T}), S),
    # An operator extends a running trial, or reopens a lapsed one.
    "extend_trial": Transition(frozenset({T}), None),
    "reopen_trial": Transition(frozenset({S}), T),
    # A renewal payment failed (first or second time).
    "payment_failed": Transition(frozenset({A, P}), P),
    # The third failed payment.
    "suspend_for_nonpayment": Transition(frozenset({P}), S),
    # A payment succeeded after failures, or an operator reactivates.
    "payment_recovered": Transition(frozenset({P, S}), A),
    "reactivate": Transition(frozenset({P, S}), A),
    # An operator suspends, with a reason.
    "suspend": Transition(frozenset({T, A, P}), S),
    # The customer asks to cancel at the end of the period, or takes that back.
    "schedule_cancel": Transition(frozenset({T, A, P}), None),
    "resume": Transition(frozenset({T, A, P}), None),
    # The subscription ended (at period end after the customer cancelled, or deleted in Stripe).
    "cancel": Transition(frozenset({T, A, P, S}), C),
    # A cancelled customer pays again.
    "resubscribe": Transition(frozenset({C}), A),
    # Plan changes: an upgrade (or a trial's choice of plan) now; a downgrade at period end.
    "change_tier": Transition(frozenset({T, A}), None),
    "schedule_downgrade": Transition(frozenset({A}), None),
    "apply_pending_tier": Transition(frozenset({A, P}), None),
    # Extra users, plants or storage on top of the plan.
    "set_add_on": Transition(frozenset({T, A, P}), None),
}


def target_of(name: str, status: str) -> str:
    """Return the status the named transition leads to from ``status``; raise IllegalTransition."""
    transition = TRANSITIONS[name]
    if status not in transition.sources:
        raise IllegalTransition(name, status)
    return status if transition.target is None else transition.target
