"""The subscription state machine: every named change, the statuses it starts from, where it leads.

The status is the billing status and mirrors Stripe (``billing`` maps Stripe's statuses onto
these); an operator's hold and comp sit beside it (``Subscription.held_at``, ``comp_tier``) and
are named changes that keep the status as it is.
"""

from __future__ import annotations

from typing import NamedTuple

from subscriptions.models import Status
from unison.errors import ApplicationError


class IllegalTransition(ApplicationError):
    """A transition was asked for from a status it does not start from."""

    code = "illegal_transition"
    status = 409

    def __init__(self, name: str, status: str):
        super().__init__(f"“{name}” is not allowed while the subscription is {status.replace('_', ' ')}.",
                         field="status")
        self.name, self.from_status = name, status


class Transition(NamedTuple):
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is (a named change within a status)


T, A, P, S, C = Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.SUSPENDED, Status.CANCELLED
ANY = frozenset({T, A, P, S, C})

TRANSITIONS: dict[str, Transition] = {
    # Stripe bills the plan: a trial (or a lapsed trial) became paid.
    "convert": Transition(frozenset({T, S}), A),
    # The trial ended without a card (our job; Stripe ends the trials it runs).
    "expire_trial": Transition(frozenset({T}), S),
    # An operator extends a running trial, or reopens a lapsed one.
    "extend_trial": Transition(frozenset({T}), None),
    "reopen_trial": Transition(frozenset({S}), T),
    # An operator sets the trial's length for a deal (in Stripe when Stripe runs the trial).
    "set_trial_end": Transition(frozenset({T}), None),
    # Stripe could not collect a payment (it retries), or gave up (Stripe's "unpaid").
    "payment_failed": Transition(frozenset({T, A, P}), P),
    "suspend_for_nonpayment": Transition(frozenset({T, A, P}), S),
    # A payment succeeded after failures.
    "payment_recovered": Transition(frozenset({P, S}), A),
    # The customer asks to cancel at the end of the period, or takes that back.
    "schedule_cancel": Transition(frozenset({T, A, P}), None),
    "resume": Transition(frozenset({T, A, P}), None),
    # The subscription ended (at period end after the customer cancelled, or deleted in Stripe).
    "cancel": Transition(frozenset({T, A, P, S}), C),
    # A cancelled customer pays again.
    "resubscribe": Transition(frozenset({C}), A),
    # Stripe's plan, add-ons, card-on-file trial or scheduled change, mirrored without a status change.
    "change_plan": Transition(frozenset({T, A, P, S}), None),
    "start_paid_trial": Transition(frozenset({T}), None),
    "schedule_change": Transition(frozenset({T, A, P}), None),
    "unschedule_change": Transition(frozenset({T, A, P, S}), None),
    # An operator's hold (read-only whatever Stripe says) and comp (a plan given free), and their ends.
    "hold": Transition(ANY, None),
    "release_hold": Transition(ANY, None),
    "comp": Transition(ANY, None),
    "end_comp": Transition(ANY, None),
    # The owner chooses storage overage billed by use (on a paid plan), or the hard limit again.
    "storage_overage_on": Transition(frozenset({A}), None),
    "storage_overage_off": Transition(ANY, None),
}


def target_of(name: str, status: str) -> str:
    """Return the status the named transition leads to from ``status``; raise IllegalTransition."""
    transition = TRANSITIONS[name]
    if status not in transition.sources:
        raise IllegalTransition(name, status)
    return status if transition.target is None else transition.target


def transition_between(source: str, target: str, *, suspension_reason: str = "") -> str:
    """Return the name of the transition that takes ``source`` to ``target`` (a status Stripe reports).

    Raise IllegalTransition when no named transition does.
    """
    if target == C:
        return "cancel"
    if target == A:
        if source == C:
            return "resubscribe"
        if source == P or (source == S and suspension_reason == "payment_failed"):
            return "payment_recovered"
        return "convert"
    name = {P: "payment_failed", S: "suspend_for_nonpayment"}.get(target, "convert")
    target_of(name, source)
    if TRANSITIONS[name].target != target:
        raise IllegalTransition(name, source)
    return name
