"""Writes for a trialing owner's request for more trial days: asking, and recording the operator's answer.

One request per workspace (its one trial), made by an owner while the trial runs; operators approve
it (the trial is extended through billing, in Stripe when Stripe runs the trial) or decline it in
``platform_admin.services``, which audits both. The answer reaches the owners by e-mail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from notifications.services import notify
from subscriptions.models import Status, Subscription, TrialExtensionRequest
from subscriptions.services.core import extension_days_validate
from unison.errors import ApplicationError

TRIAL_EXTENSION_DAYS = 30  # at most, asked for or granted on request
REASON_MAX_LENGTH = 500
REASON_REQUIRED = "Say why you need more time: operators read it before they decide."
Decision = TrialExtensionRequest.Decision


def trial_extension_days_validate(days) -> int:
    """Return ``days`` if it is a whole number from 1 to ``TRIAL_EXTENSION_DAYS``; else raise ValidationError."""
    return extension_days_validate(days, most=TRIAL_EXTENSION_DAYS)


def trial_extension_refusal(subscription: Subscription | None) -> str | None:
    """Return why the workspace cannot ask for more trial days now, or None if it can."""
    if subscription is None or subscription.status != Status.TRIALING or subscription.trial_converted:
        return "Only a workspace in its trial can ask for more trial days."
    if subscription.held_at:
        return "An operator has suspended this workspace: contact support."
    return None


def _already_asked(existing: TrialExtensionRequest) -> ApplicationError:
    when = f"{existing.created_at:%-d %B %Y}"
    answer = {"pending": "operators have not answered yet", "approved": "it was approved",
              "declined": "it was declined"}[existing.status]
    return ApplicationError(f"You already asked for more trial days on {when} ({answer}): a trial can be extended "
                            "on request once.", code="trial_extension_already_requested", field="days")


@transaction.atomic
def trial_extension_request_create(*, organization, user, days, reason: str) -> TrialExtensionRequest:
    """Record an owner's request for ``days`` more trial days, for ``reason``; return it.

    Raise ApplicationError (403) for a user who is not an owner, ApplicationError keyed ``days``
    when the workspace has asked before, ``status`` when it is not trialing, and ValidationError
    keyed ``days`` or ``reason`` for bad input.
    """
    if getattr(user, "role", None) != Role.OWNER:
        raise ApplicationError("Only an owner of the workspace can ask for more trial days.", code="owner_only",
                               status=403)
    errors = {}
    try:
        trial_extension_days_validate(days)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [REASON_REQUIRED]
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = [f"Keep the reason to {REASON_MAX_LENGTH} characters (it has {len(reason)})."]
    if errors:
        raise ValidationError(errors)
    # The subscription's row lock makes two requests at once take turns: the second sees the first.
    subscription = Subscription.objects.select_for_update().filter(organization=organization).first()
    existing = TrialExtensionRequest.objects.filter(organization=organization).first()
    if existing is not None:
        raise _already_asked(existing)
    refusal = trial_extension_refusal(subscription)
    if refusal:
        raise ApplicationError(refusal, code="not_trialing", status=409, field="status")
    return TrialExtensionRequest.objects.create(
        organization=organization, requested_by_id=user.pk, requested_by_email=user.email, days_requested=days,
        reason=reason, trial_ends_at=subscription.trial_ends_at,
    )


def trial_extension_lock_pending(extension: TrialExtensionRequest) -> TrialExtensionRequest:
    """Return the request locked for an answer; raise ApplicationError (409) if it was answered already."""
    locked = TrialExtensionRequest.objects.select_for_update().select_related("organization").get(pk=extension.pk)
    if locked.status != Decision.PENDING:
        raise ApplicationError(f"This request was {locked.status} already (by {locked.decided_by}).",
                               code="already_decided", status=409, field="status")
    return locked


def trial_extension_answer(*, extension: TrialExtensionRequest, status: str, actor: str, days: int | None = None,
                           note: str = "", trial_ends_at=None) -> TrialExtensionRequest:
    """Save the operator's answer on the locked request and e-mail the owners once; return the request."""
    extension.status, extension.days_granted, extension.decided_by = status, days, actor
    extension.decided_at, extension.decision_note = timezone.now(), note
    extension.save(update_fields=["status", "days_granted", "decided_by", "decided_at", "decision_note"])
    kind = "trial_extension_approved" if status == Decision.APPROVED else "trial_extension_declined"
    notify(organization=extension.organization, kind=kind, occasion=f"request-{extension.pk}",
           context={"days": days, "note": note, "trial_ends_at": trial_ends_at,
                    "days_requested": extension.days_requested})
    return extension
