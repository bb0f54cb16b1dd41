"""Trial warnings at 7, 3 and 1 days, and expiry, under frozen time, each sent once even when run twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from notifications.models import NotificationLog
from subscriptions.lifecycle import trial_warnings_send, trials_due_for_warning, trials_expire
from subscriptions.models import Subscription, SubscriptionEvent


def _run_daily_jobs_twice(capture) -> None:
    for _ in range(2):
        with capture(execute=True):
            trials_expire()
            trial_warnings_send()


def test_a_trial_is_warned_at_7_3_and_1_days_then_suspended_once(
    organization, owner, time_machine, django_capture_on_commit_callbacks
):
    started = organization.subscription.trial_starts_at
    ends = organization.subscription.trial_ends_at
    seen: dict[int, list[str]] = {}
    for day in range(16):
        time_machine.move_to(started + timedelta(days=day, minutes=30), tick=False)
        before = len(mail.outbox)
        _run_daily_jobs_twice(django_capture_on_commit_callbacks)
        seen[day] = [message.subject for message in mail.outbox[before:]]

    assert {day: subjects for day, subjects in seen.items() if subjects} == {
        7: ["Your Unison trial ends in 7 days"],
        11: ["Your Unison trial ends in 3 days"],
        13: ["Your Unison trial ends in 1 day"],
        14: ["Your Unison trial has ended"],
    }
    assert all(message.to == [owner.email] for message in mail.outbox)
    subscription = Subscription.objects.get(organization=organization)
    assert subscription.status == "suspended" and subscription.suspended_at is not None
    assert SubscriptionEvent.objects.filter(subscription=subscription, transition="expire_trial").count() == 1
    occasions = set(NotificationLog.objects.filter(organization=organization).values_list("occasion", flat=True))
    assert {f"{d}d:{ends.date().isoformat()}" for d in (7, 3, 1)} <= occasions


def test_no_warning_goes_out_with_5_days_left(organization, time_machine, django_capture_on_commit_callbacks):
    ends = organization.subscription.trial_ends_at
    time_machine.move_to(ends - timedelta(days=5) + timedelta(hours=2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert trial_warnings_send() == 0
    assert mail.outbox == []
    assert not NotificationLog.objects.filter(organization=organization, kind="trial_ending").exists()


@pytest.mark.parametrize("days", [7, 3, 1])
def test_the_warning_window_is_the_day_the_banner_shows_that_many_days(organization, time_machine, days):
    subscription = organization.subscription
    ends = subscription.trial_ends_at
    second = timedelta(seconds=1)
    moments = {
        ends - timedelta(days=days) - second: False,  # banner: N + 1 days left
        ends - timedelta(days=days): True,  # exactly N days left
        ends - timedelta(days=days - 1) - second: True,  # N - 1 days and a second: banner still N
        ends - timedelta(days=days - 1): False,  # banner: N - 1
    }
    for moment, due in moments.items():
        time_machine.move_to(moment, tick=False)
        assert (subscription.days_left_in_trial == days) is due
        assert trials_due_for_warning(days=days, now=moment).filter(pk=subscription.pk).exists() is due


def test_a_trial_is_not_suspended_a_minute_before_it_ends(organization, time_machine):
    time_machine.move_to(organization.subscription.trial_ends_at - timedelta(minutes=1), tick=False)
    assert trials_expire() == 0
    assert Subscription.objects.get(organization=organization).status == "trialing"


def test_a_trial_paid_through_stripe_is_neither_warned_nor_suspended(
    organization, time_machine, django_capture_on_commit_callbacks
):
    Subscription.objects.filter(organization=organization).update(stripe_subscription_id="sub_123")
    ends = organization.subscription.trial_ends_at
    time_machine.move_to(ends - timedelta(days=1) + timedelta(hours=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert trial_warnings_send() == 0
    time_machine.move_to(ends + timedelta(hours=1), tick=False)
    assert trials_expire() == 0
    assert Subscription.objects.get(organization=organization).status == "trialing"


def test_expiring_one_organizations_trial_leaves_another_untouched(
    organization, other_organization, outsider, time_machine, django_capture_on_commit_callbacks
):
    later = organization.subscription.trial_ends_at + timedelta(days=3)
    Subscription.objects.filter(organization=other_organization).update(trial_ends_at=later)
    time_machine.move_to(organization.subscription.trial_ends_at + timedelta(hours=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert trials_expire() == 1
    assert Subscription.objects.get(organization=other_organization).status == "trialing"
    assert all(outsider.email not in message.to for message in mail.outbox)
    assert not NotificationLog.objects.filter(organization=other_organization, kind="trial_ended").exists()
