"""Deleting a workspace: an owner asks (30 days read-only, undoable), then the purge removes it for good.

The purge runs step by step, each step safe to run again, so a purge cut short is finished by the next
run (``deletions_purge_due`` daily, or an operator's "Delete now"): Stripe first (while we still hold
the ids), then the schema, the files, the public rows, and last the organisation row, anonymised in the
same transaction as the audit entry that says it was done. ``deleted_at`` marks the end.
"""

from __future__ import annotations

import logging
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import Role
from billing.services import billing_customer_erase
from domains.models import CustomDomain
from notifications.models import NotificationLog
from notifications.services import notify
from platform_admin.services import audit_record
from subscriptions.entitlements import entitlements_forget
from subscriptions.models import Status, Subscription, TrialExtensionRequest, UsageSnapshot
from subscriptions.services import subscription_transition
from tenants.models import Domain, LoginToken, Organization
from unison.errors import ApplicationError
from unison.media_storage import WORKSPACE_FOLDER, storage_names, workspace_storage

logger = logging.getLogger(__name__)
GRACE = timedelta(days=30)
REMINDER_BEFORE = timedelta(days=7)
ANONYMOUS_NAME = "Deleted workspace"
NOT_OWNER = "Only an owner of the workspace can ask for its deletion or take it back."


def deletion_due_from_now():
    """Return when a deletion asked for now would happen."""
    return timezone.now() + GRACE


def _owner_check(user) -> None:
    if not (user and user.is_authenticated and getattr(user, "role", None) == Role.OWNER):
        raise ApplicationError(NOT_OWNER, code="role_not_allowed", status=403)


def _locked(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _copy_onto(organization: Organization, locked: Organization) -> Organization:
    for field in ("deletion_requested_at", "deletion_due_at", "deletion_requested_by", "deleted_at"):
        setattr(organization, field, getattr(locked, field))
    return organization


@transaction.atomic
def deletion_request(*, organization: Organization, user, confirm_name: str) -> Organization:
    """Ask for the workspace's deletion: read-only from now, purged 30 days later; return the organisation.

    Refuse a non-owner (403), a deletion already asked for (409), and a name that is not the
    workspace's (400 on ``confirm_name``).
    """
    _owner_check(user)
    locked = _locked(organization)
    if locked.deletion_due_at is not None:
        raise ApplicationError(
            f"Deletion was already asked for; the workspace will be deleted on {locked.deletion_due_at:%-d %B %Y}.",
            code="deletion_already_requested",
            status=409,
        )
    if (confirm_name or "").strip() != locked.name:
        raise ApplicationError(
            f"Type the workspace's name exactly as shown, “{locked.name}”, to confirm.",
            code="confirm_name_mismatch",
            field="confirm_name",
        )
    now = timezone.now()
    locked.deletion_requested_at, locked.deletion_due_at, locked.deletion_requested_by = now, now + GRACE, user.email
    locked.save(update_fields=["deletion_requested_at", "deletion_due_at", "deletion_requested_by"])
    audit_record(
        actor=None,
        actor_email=user.email,
        action="deletion_request",
        target=locked,
        organization_id=locked.pk,
        details={"due_at": locked.deletion_due_at.isoformat()},
    )
    notify(
        organization=locked,
        kind="deletion_requested",
        occasion=f"deletion:{now.isoformat()}",
        context={"due_at": locked.deletion_due_at},
    )
    return _copy_onto(organization, locked)


@transaction.atomic
def deletion_undo(*, organization: Organization, user) -> Organization:
    """Take back the deletion during its grace period; return the organisation, writable again."""
    _owner_check(user)
    locked = _locked(organization)
    if locked.deletion_due_at is None:
        raise ApplicationError(
            "No deletion of this workspace is pending: there is nothing to undo.",
            code="no_deletion_pending",
            status=409,
        )
    if locked.deletion_due_at <= timezone.now():
        raise ApplicationError(
            "The grace period is over: the deletion is under way and cannot be undone.",
            code="deletion_under_way",
            status=409,
        )
    due = locked.deletion_due_at
    locked.deletion_requested_at = locked.deletion_due_at = None
    locked.deletion_requested_by = ""
    locked.save(update_fields=["deletion_requested_at", "deletion_due_at", "deletion_requested_by"])
    audit_record(
        actor=None,
        actor_email=user.email,
        action="deletion_undo",
        target=locked,
        organization_id=locked.pk,
        details={"was_due_at": due.isoformat()},
    )
    return _copy_onto(organization, locked)


@transaction.atomic
def deletion_now(*, organization: Organization, actor, reason: str) -> Organization:
    """Make the deletion due now, for a legal request (an operator), audited; the caller then purges."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason (the legal request) for deleting now.", code="reason_required", field="reason"
        )
    locked = _locked(organization)
    if locked.deleted_at is not None:
        raise ApplicationError("This workspace was deleted already.", code="already_deleted", status=409)
    now = timezone.now()
    locked.deletion_requested_at = locked.deletion_requested_at or now
    locked.deletion_requested_by = locked.deletion_requested_by or actor.email
    locked.deletion_due_at = now
    locked.save(update_fields=["deletion_requested_at", "deletion_due_at", "deletion_requested_by"])
    audit_record(
        actor=actor, action="deletion_now", target=locked, organization_id=locked.pk, details={"reason": reason}
    )
    return _copy_onto(organization, locked)


def deletion_purge_now(*, organization: Organization, actor, reason: str) -> Organization:
    """Delete the workspace at once for a legal request (an operator): audited, then purged; return it."""
    deletion_now(organization=organization, actor=actor, reason=reason)
    return deletion_purge(organization_id=organization.pk)


def deletion_purge(*, organization_id: int) -> Organization:
    """Remove everything of a workspace whose deletion is due; return the anonymised organisation.

    Each step can run again; an organisation already purged is returned as it is.
    """
    with schema_context(get_public_schema_name()):
        return _purge(organization_id)


def _purge(organization_id: int) -> Organization:
    organization = Organization.objects.get(pk=organization_id)
    if organization.deleted_at is not None:
        return organization
    if organization.deletion_due_at is None or organization.deletion_due_at > timezone.now():
        raise ApplicationError("This workspace's deletion is not due.", code="deletion_not_due", status=409)
    billing_customer_erase(organization=organization)
    _schema_drop(organization.schema_name)
    _media_remove(organization.schema_name)
    _public_rows_remove(organization)
    return _anonymise(organization)


def _schema_drop(schema_name: str) -> None:
    if schema_name in ("public", settings.UNISON_TEMPLATE_SCHEMA):
        raise ValueError(f"Refusing to drop the {schema_name!r} schema.")
    with connection.cursor() as cursor:
        # Checks deferred to the end of an enclosing transaction would block the DROP: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')  # noqa: S608 - our own schema name


def _media_remove(schema_name: str) -> None:
    """Delete the workspace's files through the storage API (the disk or S3): its own, its exports and logos."""
    with schema_context(schema_name):
        for name in storage_names(default_storage):
            default_storage.delete(name)
    for name in storage_names(workspace_storage(), schema_name):
        workspace_storage().delete(name)
    for folder in (Path(settings.MEDIA_ROOT) / schema_name, Path(settings.MEDIA_ROOT) / WORKSPACE_FOLDER / schema_name):
        shutil.rmtree(folder, ignore_errors=True)  # the filesystem store's folders, now empty


@transaction.atomic
def _public_rows_remove(organization: Organization) -> None:
    for domain in Domain.objects.filter(tenant=organization):
        domain.delete()  # one by one: each forgets its host in the domain cache
    CustomDomain.objects.filter(organization=organization).delete()
    LoginToken.objects.filter(organization=organization).delete()
    NotificationLog.objects.filter(organization=organization).delete()
    UsageSnapshot.objects.filter(organization=organization).delete()
    TrialExtensionRequest.objects.filter(organization=organization).delete()
    subscription = Subscription.objects.select_for_update().filter(organization=organization).first()
    if subscription is None:
        return
    subscription.storage_overage_reports.all().delete()
    subscription.add_ons.all().delete()
    changes = {
        "stripe_customer_id": "",
        "stripe_subscription_id": "",
        "checkout_session_id": "",
        "checkout_plan": {},
        "extra_stripe_subscription_ids": [],
        "last_paid_invoice_id": "",
        "storage_overage_item_id": "",
        "hold_reason": "",
        "comp_reason": "",
        "suspension_reason": "",
        "mrr_cents": 0,
        "cancel_at_period_end": False,
        "pending_plan": {},
    }
    if subscription.status != Status.CANCELLED:
        subscription_transition(
            subscription=subscription,
            name="cancel",
            actor="deletion",
            changes={**changes, "cancelled_at": timezone.now()},
        )
    else:
        for field, value in changes.items():
            setattr(subscription, field, value)
        subscription.save()


@transaction.atomic
def _anonymise(organization: Organization) -> Organization:
    locked = _locked(organization)
    if locked.deleted_at is not None:
        return locked
    former = {
        "slug": locked.slug,
        "schema_name": locked.schema_name,
        "requested_by": locked.deletion_requested_by,
        "requested_at": locked.deletion_requested_at.isoformat() if locked.deletion_requested_at else None,
    }
    entitlements_forget(locked)
    locked.name, locked.slug, locked.email = ANONYMOUS_NAME, f"deleted-{locked.pk}", ""
    locked.schema_name = f"deleted_{locked.pk}"
    locked.industry = locked.company_size = locked.primary_use_case = locked.costing_method = ""
    locked.deletion_requested_by, locked.is_active, locked.deleted_at = "", False, timezone.now()
    locked.save()
    audit_record(
        actor=None,
        actor_email="system",
        action="deletion_purge",
        target=locked,
        organization_id=locked.pk,
        details={
            "former_slug": former["slug"],
            "requested_by": former["requested_by"],
            "requested_at": former["requested_at"],
        },
    )
    return locked


def deletions_remind(*, now=None) -> int:
    """Remind the owners of each workspace due for deletion within a week (once a deletion); return how many."""
    now = now or timezone.now()
    sent = 0
    due = Organization.objects.filter(
        deleted_at__isnull=True, deletion_due_at__gt=now, deletion_due_at__lte=now + REMINDER_BEFORE
    )
    for organization in due:
        with transaction.atomic():
            sent += (
                notify(
                    organization=organization,
                    kind="deletion_reminder",
                    occasion=f"reminder:{organization.deletion_due_at.isoformat()}",
                    context={"due_at": organization.deletion_due_at},
                )
                is not None
            )
    return sent


def deletions_purge_due(*, now=None) -> int:
    """Purge every workspace whose deletion is due (an interrupted purge too); return how many were purged."""
    now = now or timezone.now()
    ids = list(
        Organization.objects.filter(deleted_at__isnull=True, deletion_due_at__lte=now)
        .order_by("deletion_due_at")
        .values_list("pk", flat=True)
    )
    purged = 0
    for organization_id in ids:
        try:
            deletion_purge(organization_id=organization_id)
        except Exception:  # noqa: BLE001 - one workspace's failure must not stop the others; the next run resumes
            logger.exception("Purge of organisation %s failed; the next run resumes it", organization_id)
        else:
            purged += 1
    return purged
