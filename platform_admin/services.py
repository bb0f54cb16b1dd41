"""Operator writes: each changes a customer through its owning service and records one audit entry.

The change and its audit entry share one transaction: both happen, or neither.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import BigIntegerField, DateTimeField, ExpressionWrapper, F, Subquery, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from platform_admin.models import AuditEntry
from subscriptions import services as subscription_services
from subscriptions.billing_provider import billing_provider
from subscriptions.models import Status, Subscription, TrialExtensionRequest
from tenants.models import LoginToken, Organization
from tenants.services import login_token_issue
from unison.errors import ApplicationError

IMPERSONATION_MINUTES = (5, 240)
# Sign-in records: a person's own sign-in, not an operator's action on a customer (no actor_id, so the
# operators' activity metrics leave them out).
SIGN_IN_ACTIONS = ("console_sign_in", "console_sign_in_failed", "console_session_expired", "two_factor_failed",
                   "sso_sign_in", "sso_sign_in_failed")


def audit_record(
    *, actor, action: str, target, organization_id: int | None, details: dict | None = None, actor_email: str = ""
) -> AuditEntry:
    """Write one audit entry for ``actor`` (an operator, or None with ``actor_email``) acting on ``target``."""
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or actor_email,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        organization_id=organization_id,
        details=details or {},
    )


@transaction.atomic
def organization_update(
    *, organization: Organization, actor, name: str | None = None, email: str | None = None, is_active: bool | None = None
) -> Organization:
    """Change the organisation's name, contact e-mail or active flag; audit the change; return it.

    Deactivating closes the workspace (its host answers "deactivated"); activating reopens it.
    Raise ValidationError keyed ``name`` or ``email`` for bad values. Nothing changed: no audit entry.
    """
    errors: dict[str, list[str]] = {}
    if name is not None and not name.strip():
        errors["name"] = ["Enter the organisation's name."]
    if email is not None:
        try:
            validate_email(email.strip())
        except ValidationError:
            errors["email"] = ["Enter a valid e-mail address."]
    if errors:
        raise ValidationError(errors)
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    wanted = {"name": name.strip() if name is not None else None, "email": email.strip().lower() if email else None}
    wanted["is_active"] = is_active
    changes = {f: [getattr(locked, f), v] for f, v in wanted.items() if v is not None and getattr(locked, f) != v}
    if not changes:
        return locked
    for field, (_old, new) in changes.items():
        setattr(locked, field, new)
    locked.save(update_fields=list(changes))
    action = "organization_update"
    if "is_active" in changes:
        action = "organization_activate" if locked.is_active else "organization_deactivate"
    audit_record(actor=actor, action=action, target=locked, organization_id=locked.pk, details={"changes": changes})
    return locked


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@transaction.atomic
def operator_extend_trial(*, subscription: Subscription, actor, days: int, idempotency_key: str = "") -> Subscription:
    """Give the organisation ``days`` more days of trial (in Stripe when Stripe runs the trial; a lapsed one
    reopens); audit it; return the subscription."""
    before = subscription.trial_ends_at, subscription.status
    updated = billing_provider().trial_extend(organization=subscription.organization, days=days, actor=actor.email,
                                              idempotency_key=idempotency_key)
    details = {
        "days": days,
        "trial_ends_at": [_iso(before[0]), _iso(updated.trial_ends_at)],
        "status": [before[1], updated.status],
    }
    audit_record(
        actor=actor, action="subscription_extend_trial", target=updated, organization_id=updated.organization_id, details=details
    )
    return updated


def _still_in_trial(subscription: Subscription | None) -> bool:
    """Return whether the trial can still be extended: running, or lapsed unpaid (it reopens)."""
    if subscription is None or subscription.trial_converted:
        return False
    lapsed = subscription.status == Status.SUSPENDED and subscription.suspension_reason == "trial_expired"
    return subscription.status == Status.TRIALING or lapsed


@transaction.atomic
def operator_trial_extension_approve(*, extension: TrialExtensionRequest, actor,
                                     days: int | None = None) -> TrialExtensionRequest:
    """Approve the request: extend the trial by ``days`` (the days asked for unless given, 1 to 30); audit it,
    tell the owners by e-mail; return the request. A workspace that has left its trial (paid, or cancelled)
    is refused with nothing extended: decline the request instead."""
    locked = subscription_services.trial_extension_lock_pending(extension)
    days = subscription_services.trial_extension_days_validate(locked.days_requested if days is None else days)
    subscription = Subscription.objects.select_related("organization").filter(organization=locked.organization).first()
    if not _still_in_trial(subscription):
        status = subscription.get_status_display().lower() if subscription else "without a subscription"
        raise ApplicationError(f"{locked.organization} is no longer in its trial (it is {status}): nothing was "
                               "extended. Decline the request instead.", code="not_trialing", status=409,
                               field="status")
    updated = operator_extend_trial(subscription=subscription, actor=actor, days=days,
                                    idempotency_key=f"trial-extension-{locked.pk}")
    subscription_services.trial_extension_answer(extension=locked, status=TrialExtensionRequest.Decision.APPROVED,
                                                 actor=actor.email, days=days, trial_ends_at=updated.trial_ends_at)
    audit_record(actor=actor, action="trial_extension_approve", target=locked, organization_id=locked.organization_id,
                 details={"request_id": locked.pk, "days_requested": locked.days_requested, "days": days,
                          "trial_ends_at": _iso(updated.trial_ends_at)})
    return locked


@transaction.atomic
def operator_trial_extension_decline(*, extension: TrialExtensionRequest, actor, note: str = "") -> TrialExtensionRequest:
    """Decline the request, with an optional note for the owners (sent by e-mail); audit it; return the request."""
    note = (note or "").strip()
    if len(note) > subscription_services.REASON_MAX_LENGTH:
        raise ValidationError({"note": [f"Keep the note to {subscription_services.REASON_MAX_LENGTH} characters."]})
    locked = subscription_services.trial_extension_lock_pending(extension)
    subscription_services.trial_extension_answer(extension=locked, status=TrialExtensionRequest.Decision.DECLINED,
                                                 actor=actor.email, note=note)
    audit_record(actor=actor, action="trial_extension_decline", target=locked, organization_id=locked.organization_id,
                 details={"request_id": locked.pk, "days_requested": locked.days_requested, "note": note})
    return locked


def _audited(*, actor, action: str, subscription: Subscription, before: Subscription, updated: Subscription,
             **details) -> Subscription:
    """Record the operator's change to the subscription, with what it was and what it is now."""
    fields = ("status", "tier", "held_at", "comp_tier")
    changes = {field: [_plain(getattr(before, field)), _plain(getattr(updated, field))] for field in fields
               if getattr(before, field) != getattr(updated, field)}
    audit_record(actor=actor, action=action, target=updated, organization_id=updated.organization_id,
                 details={**details, "changes": changes, "status": [before.status, updated.status]})
    return updated


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _before(subscription: Subscription) -> Subscription:
    return Subscription.objects.get(pk=subscription.pk)


@transaction.atomic
def operator_suspend(*, subscription: Subscription, actor, reason: str) -> Subscription:
    """Put the operator's hold on (read-only whatever Stripe says, until lifted) for ``reason``; audit it."""
    before = _before(subscription)
    updated = subscription_services.subscription_hold(subscription=subscription, reason=reason, actor=actor.email)
    return _audited(actor=actor, action="subscription_suspend", subscription=subscription, before=before,
                    updated=updated, reason=updated.hold_reason)


@transaction.atomic
def operator_reactivate(*, subscription: Subscription, actor) -> Subscription:
    """Lift the operator's hold: the workspace is again what billing (and any comp) say; audit it."""
    before = _before(subscription)
    updated = subscription_services.subscription_release_hold(subscription=subscription, actor=actor.email)
    return _audited(actor=actor, action="subscription_reactivate", subscription=subscription, before=before,
                    updated=updated, reason=before.hold_reason)


@transaction.atomic
def operator_comp(*, subscription: Subscription, actor, tier: str, reason: str) -> Subscription:
    """Give the workspace ``tier`` free (0 MRR, beside what Stripe bills); audit it."""
    before = _before(subscription)
    updated = subscription_services.subscription_comp(subscription=subscription, tier=tier, reason=reason,
                                                      actor=actor.email)
    return _audited(actor=actor, action="subscription_comp", subscription=subscription, before=before,
                    updated=updated, tier=tier, reason=(reason or "").strip())


@transaction.atomic
def operator_end_comp(*, subscription: Subscription, actor) -> Subscription:
    """End the free plan: the workspace is again what Stripe bills; audit it."""
    before = _before(subscription)
    updated = subscription_services.subscription_end_comp(subscription=subscription, actor=actor.email)
    return _audited(actor=actor, action="subscription_end_comp", subscription=subscription, before=before,
                    updated=updated)


def operator_change_plan(*, subscription: Subscription, actor, tier: str, billing_cycle: str | None = None,
                         add_ons: dict[str, int] | None = None) -> Subscription:
    """Change a paying customer's plan through Stripe, the customer's own path (prorated upgrades now,
    the rest at period end); audit it. A workspace without a Stripe subscription is refused: comp it,
    or send the customer to checkout."""
    before = _before(subscription)
    if not subscription_services.subscription_is_in_stripe(before):
        raise ValidationError({"tier": ["This workspace has no subscription in Stripe: give the plan free (comp) "
                                        "or ask the customer to choose it on their billing page."]})
    change = billing_provider().plan_change(
        organization=subscription.organization, tier=tier, billing_cycle=billing_cycle, add_ons=add_ons,
        actor=actor.email, return_url=f"{subscription.organization.url}billing/",
    )
    with transaction.atomic():
        updated = _before(subscription)
        return _audited(actor=actor, action="subscription_change_plan", subscription=subscription, before=before,
                        updated=updated, wanted={"tier": tier, "billing_cycle": billing_cycle, "add_ons": add_ons},
                        when=change.when)


def operator_coupon_create(*, actor, **coupon):
    """Create a coupon and its promotion code in Stripe (then mirrored) and audit it; return the promotion
    code. Raise ValidationError naming the field for bad input; nothing is made or audited then."""
    promotion = billing_provider().coupon_create(**coupon)
    audit_record(actor=actor, action="coupon_create", target=promotion, organization_id=None,
                 details={key: _plain(value) for key, value in coupon.items()})
    return promotion


@transaction.atomic
def impersonation_start(
    *, actor, organization: Organization, user_id, minutes, reason: str
) -> tuple[str, LoginToken]:
    """Issue a single-use link that signs ``actor`` in as the user for ``minutes``; audit it.

    Return the link and its token. Raise ValidationError keyed ``organization_id``, ``user_id``,
    ``minutes`` or ``reason`` for bad input.
    """
    errors: dict[str, list[str]] = {}
    low, high = IMPERSONATION_MINUTES
    if not isinstance(minutes, int) or not low <= minutes <= high:
        errors["minutes"] = [f"Choose between {low} and {high} minutes."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why you need to sign in as this user."]
    if not organization.is_active:
        errors["organization_id"] = ["This organisation is deactivated; activate it first."]
    with schema_context(organization.schema_name):
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if str(user_id).isdigit() else None
    if user is None:
        errors["user_id"] = ["Choose an active user of this organisation."]
    if errors:
        raise ValidationError(errors)
    url = login_token_issue(
        organization=organization, user_id=user.pk, impersonator=actor.email, reason=reason, session_seconds=minutes * 60
    )
    token = LoginToken.objects.filter(organization=organization, user_id=user.pk, impersonator=actor.email).latest("pk")
    details = {"user_id": user.pk, "user_email": user.email, "minutes": minutes, "reason": reason, "token_id": token.pk}
    audit_record(
        actor=actor, action="impersonation_start", target=organization, organization_id=organization.pk, details=details
    )
    return url, token


@transaction.atomic
def impersonation_end(
    *, token_id: int | None, impersonator: str, user_id: int, user_email: str, ended_by: str = "sign_out"
) -> AuditEntry | None:
    """Record that an impersonation session ended; return the entry, or None if already recorded."""
    with schema_context(get_public_schema_name()):
        # The row lock makes the middleware, the sign-out and the sweep take turns: one end, not two.
        token = (LoginToken.objects.select_for_update(of=("self",)).select_related("organization")
                 .filter(pk=token_id, impersonator=impersonator).first())
        if token is None:
            return None
        already = AuditEntry.objects.filter(action="impersonation_end", details__token_id=token.pk).exists()
        if already:
            return None
        operator = get_user_model().objects.filter(email=impersonator).first()
        details = {"user_id": user_id, "user_email": user_email, "token_id": token.pk, "ended_by": ended_by}
        return audit_record(
            actor=operator,
            actor_email=impersonator,
            action="impersonation_end",
            target=token.organization,
            organization_id=token.organization_id,
            details=details,
        )


def impersonation_write_record(
    *, organization: Organization, impersonator: str, user_email: str, token_id: int | None, method: str, path: str,
    status: int,
) -> AuditEntry:
    """Record that the operator ``impersonator`` changed something in the workspace as the user; return the entry."""
    with schema_context(get_public_schema_name()):
        operator = get_user_model().objects.filter(email=impersonator).first()
        details = {"method": method, "path": path[:500], "status": status, "user_email": user_email,
                   "token_id": token_id}
        return audit_record(actor=operator, actor_email=impersonator, action="impersonated_write",
                            target=organization, organization_id=organization.pk, details=details)


def _token_ids(action: str):
    """Return audit entries of ``action`` annotated with the login token id kept in their details."""
    token = Cast(KeyTextTransform("token_id", "details"), BigIntegerField())
    return AuditEntry.objects.filter(action=action).annotate(token=token)


def impersonations_close_expired(*, now: datetime | None = None) -> int:
    """Record the end of impersonation sessions that ran out without a sign-out; return how many.

    Safe to run twice: a session whose end is recorded is skipped.
    """
    now = now or timezone.now()
    session_end = ExpressionWrapper(
        F("used_at") + F("session_seconds") * Value(timedelta(seconds=1)), output_field=DateTimeField()
    )
    tokens = list(
        LoginToken.objects.exclude(impersonator="")
        .filter(used_at__isnull=False, session_seconds__isnull=False)
        .annotate(session_end=session_end)
        .filter(session_end__lte=now)
        .exclude(pk__in=Subquery(_token_ids("impersonation_end").values("token")))
    )
    emails = dict(
        _token_ids("impersonation_start")
        .filter(token__in=[t.pk for t in tokens])
        .values_list("token", "details__user_email")
    )
    closed = 0
    for token in tokens:
        entry = impersonation_end(
            token_id=token.pk, impersonator=token.impersonator, user_id=token.user_id,
            user_email=emails.get(token.pk, ""), ended_by="expired",
        )
        closed += entry is not None
    return closed


def operator_set_trial_length(*, organization: Organization, actor, days: int, reason: str) -> Subscription:
    """Make the workspace's trial ``days`` long from its start, for a deal; audit it; return the subscription.

    Where Stripe runs the trial (the customer checked out with a card) the end is set in Stripe and mirrored;
    otherwise the trial is ours alone. Raise ValidationError (``days``, ``reason``) for a workspace not
    trialing, a length out of range or already past, or no reason.
    """
    before = Subscription.objects.get(organization=organization)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Say why (the deal): it goes in the audit log."]})
    if before.status != "trialing":
        raise ValidationError({"days": [f"This workspace is {before.get_status_display().lower()}, not trialing: "
                                        "a trial length is set only while the trial runs."]})
    ends = subscription_services.trial_end_for_length(before, days)
    in_stripe = subscription_services.subscription_is_in_stripe(before)
    if in_stripe:
        billing_provider().trial_end_set(organization=organization, trial_end=ends, actor=actor.email)
    with transaction.atomic():
        if not in_stripe:
            subscription_services.subscription_set_trial_end(subscription=before, ends=ends, actor=actor.email,
                                                             days=days)
        updated = _before(before)
        audit_record(actor=actor, action="subscription_set_trial_length", target=updated,
                     organization_id=updated.organization_id,
                     details={"days": days, "reason": reason.strip(), "ledger": "stripe" if in_stripe else "unison",
                              "trial_ends_at": [_iso(before.trial_ends_at), _iso(updated.trial_ends_at)]})
    return updated


def sign_in_record(*, action: str, email: str, user=None, organization: Organization | None = None,
                   details: dict | None = None) -> AuditEntry:
    """Record a sign-in, a failed one or a failed two-factor code; ``user`` may be unknown (None).

    The entry names the person by e-mail (actor) and id (target), never as an operator's action (no
    ``actor_id``); on a workspace host it names the organisation.
    """
    assert action in SIGN_IN_ACTIONS, action
    with schema_context(get_public_schema_name()):
        return AuditEntry.objects.create(
            actor_id=None, actor_email=email[:254],
            action=action, target_type="user", target_id=str(getattr(user, "pk", "") or email)[:64],
            target_label=email[:200], organization_id=getattr(organization, "pk", None), details=details or {},
        )


def console_session_expire(*, user, idle_since: datetime) -> AuditEntry:
    """Record that the operator's console session ended after inactivity."""
    return sign_in_record(action="console_session_expired", email=user.email, user=user,
                          details={"idle_since": idle_since.isoformat()})
