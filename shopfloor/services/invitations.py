"""Writes for inviting teammates: e-mailed, signed links within the plan's user limit."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.look import email_look
from shopfloor.models import Invitation, InvitationSent
from shopfloor.services.records import schema_check, schema_lock
from subscriptions.limits import limit_enforce
from tenants.models import Organization

INVITATION_SALT = "unison.shopfloor.invitation"
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds
MAX_PER_BATCH = 20
# A fixed subject: the workspace's name is the customer's own text, and must not let anyone send mail saying anything.
INVITATION_SUBJECT = "You're invited to a workspace on Unison"
# Invitation e-mails one workspace may send per hour, withdrawn ones included: enough to bring a
# whole shift in at once, too few to use a workspace to mail strangers.
SENDS_PER_HOUR = 60


class InvitationInvalid(Exception):
    """The invitation link is forged, expired, for another workspace or already used."""


def invitation_link(*, organization: Organization, invitation: Invitation) -> str:
    """Return the absolute, signed link that lets the invitee set a password."""
    signed = signing.dumps({"i": invitation.pk, "s": organization.schema_name}, salt=INVITATION_SALT)
    return f"{organization.url}invitations/{signed}/"


def _emails_parse(raw: str) -> list[str]:
    emails = []
    for part in raw.replace(",", "\n").replace(";", "\n").split():
        email = part.strip().lower()
        if email and email not in emails:
            emails.append(email)
    return emails


def _sends_check(count: int) -> None:
    """Refuse ``count`` more invitation e-mails when the workspace would pass SENDS_PER_HOUR; prune old rows.

    Runs under the workspace's "users" lock, so two batches sent at once cannot both squeeze in.
    """
    hour_ago = timezone.now() - timedelta(hours=1)
    InvitationSent.objects.filter(sent_at__lt=hour_ago).delete()
    recent = list(InvitationSent.objects.order_by("sent_at").values_list("sent_at", flat=True))
    if len(recent) + count <= SENDS_PER_HOUR:
        return
    left = max(SENDS_PER_HOUR - len(recent), 0)
    # The time at which enough of the hour's sends age out for this batch to fit.
    frees_at = recent[min(len(recent) + count - SENDS_PER_HOUR, len(recent)) - 1] + timedelta(hours=1)
    raise ValidationError({"emails": (
        f"This workspace can send {SENDS_PER_HOUR} invitations an hour and has {left} left. "
        f"Try again after {frees_at.astimezone(UTC):%H:%M} UTC, or invite fewer people."
    )})


@transaction.atomic
def invitations_send(
    *, organization: Organization, emails: str, role: str = "member", invited_by=None, impersonated_by: str = ""
) -> list[Invitation]:
    """Invite each address (comma or line separated) and e-mail it a link; all or none.

    ``impersonated_by`` names the operator who sent them while signed in as ``invited_by``.

    Raise ValidationError on ``emails`` for a bad, taken or already invited address, and
    LimitExceeded when users plus pending invitations would pass the plan's user limit.
    """
    schema_check(organization)
    schema_lock("users")
    addresses = _emails_parse(emails)
    if not addresses:
        raise ValidationError({"emails": "Enter at least one e-mail address."})
    if len(addresses) > MAX_PER_BATCH:
        raise ValidationError({"emails": f"Invite at most {MAX_PER_BATCH} people at a time."})
    if role not in ("admin", "member"):
        raise ValidationError({"role": "Choose admin or member."})
    problems = []
    for email in addresses:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"{email} is not a valid e-mail address.")
            continue
        if get_user_model().objects.filter(email=email).exists():
            problems.append(f"{email} is already a member of this workspace.")
        elif Invitation.objects.filter(email=email, accepted_at__isnull=True).exists():
            problems.append(f"{email} has already been invited.")
    if problems:
        raise ValidationError({"emails": problems})
    _sends_check(len(addresses))
    pending = Invitation.objects.filter(accepted_at__isnull=True).count()
    limit_enforce(organization, "add_user", adding=len(addresses), pending=pending)
    InvitationSent.objects.bulk_create(InvitationSent(email=email) for email in addresses)
    invitations = [
        Invitation.objects.create(email=email, role=role, invited_by=invited_by, impersonated_by=impersonated_by)
        for email in addresses
    ]
    sender = email_look(organization).from_email()  # the workspace's sender name, with white labelling
    for invitation in invitations:
        link = invitation_link(organization=organization, invitation=invitation)
        body = render_to_string(
            "shopfloor/invitation_email.txt", {"organization": organization, "invitation": invitation, "link": link}
        )
        transaction.on_commit(
            lambda body=body, email=invitation.email: send_mail(
                INVITATION_SUBJECT, body, sender, [email]
            )
        )
    return invitations


def invitation_from_link(*, organization: Organization, signed: str) -> Invitation:
    """Return the pending invitation a link stands for; raise InvitationInvalid otherwise."""
    try:
        payload = signing.loads(signed, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature as exc:
        raise InvitationInvalid("This invitation link is invalid or has expired.") from exc
    if payload.get("s") != organization.schema_name:
        raise InvitationInvalid("This invitation is for another workspace.")
    invitation = Invitation.objects.filter(pk=payload.get("i"), accepted_at__isnull=True).first()
    if invitation is None:
        raise InvitationInvalid("This invitation has already been used or was withdrawn.")
    return invitation


@transaction.atomic
def invitation_accept(*, organization: Organization, signed: str, full_name: str, password: str):
    """Create the invitee's user with the invited role and return it; the link then stops working."""
    schema_check(organization)
    schema_lock("users")
    invitation = invitation_from_link(organization=organization, signed=signed)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationInvalid("This invitation has already been used.")
    user_model = get_user_model()
    if user_model.objects.filter(email=invitation.email).exists():
        raise InvitationInvalid("This e-mail address already has an account here: sign in instead.")
    try:
        validate_password(password, user_model(email=invitation.email, full_name=full_name))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    limit_enforce(organization, "add_user")
    user = user_model.objects.create_user(
        email=invitation.email, password=password, full_name=full_name.strip(), role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation) -> None:
    """Delete a pending invitation, freeing its seat."""
    if invitation.accepted_at is None:
        invitation.delete()
