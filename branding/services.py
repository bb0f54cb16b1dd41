"""Writes of a workspace's white labelling; each refreshes its cached look once committed, and is audited."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from branding import logos
from branding.colours import AA, colour_parse, contrast, darker_passing
from branding.models import Branding
from branding.selectors import branding_forget
from platform_admin.services import audit_record
from unison.errors import ApplicationError

SENDER_NAME_MAX = 60
SENDER_NAME_FORBIDDEN = set('<>@"\\,;:')


def accent_colour_clean(value: str) -> str:
    """Return the colour as ``#rrggbb`` ("" for Unison's own); refuse one white text fails AA on.

    Refused, not adjusted: the refusal names the nearest darker shade that passes, to choose knowingly.
    """
    if not value.strip():
        return ""
    colour = colour_parse(value)
    if colour is None:
        raise ApplicationError("Give a colour as #rrggbb, e.g. #1f56e0.", field="accent_colour")
    ratio = contrast(colour, "#ffffff")
    if ratio < AA:
        raise ApplicationError(
            f"White text on {colour} has a contrast of {ratio:.2f}:1, under the 4.5:1 that WCAG AA asks for "
            f"buttons and badges. {darker_passing(colour)} is the nearest darker shade that passes.",
            field="accent_colour", extra={"suggestion": darker_passing(colour)})
    return colour


def sender_name_clean(value: str) -> str:
    """Return the e-mail sender name; refuse one that could bend the From header."""
    name = " ".join(value.split())
    if len(name) > SENDER_NAME_MAX:
        raise ApplicationError(f"At most {SENDER_NAME_MAX} characters.", field="email_sender_name")
    if any(not c.isprintable() or c in SENDER_NAME_FORBIDDEN for c in value.replace(" ", "")):
        raise ApplicationError("Use letters, digits, spaces and simple punctuation (no < > @ \" , ; :).",
                               field="email_sender_name")
    return name


def _locked() -> Branding:
    Branding.objects.get_or_create(pk=1)
    return Branding.objects.select_for_update().get(pk=1)


def _saved(*, organization, row: Branding, fields: list[str], actor_email: str, details: dict) -> Branding:
    row.updated_at, row.updated_by = timezone.now(), actor_email
    row.save(update_fields=[*fields, "updated_at", "updated_by"])
    branding_forget()
    transaction.on_commit(branding_forget)
    audit_record(actor=None, actor_email=actor_email, action="branding_update", target=organization,
                 organization_id=organization.pk, details={**details, "schema": connection.schema_name})
    return row


@transaction.atomic
def branding_update(*, organization, actor_email: str, accent_colour: str | None = None,
                    email_sender_name: str | None = None) -> Branding:
    """Change the accent colour and/or the sender name (None leaves one as it is); return the row."""
    changes = {}
    if accent_colour is not None:
        changes["accent_colour"] = accent_colour_clean(accent_colour)
    if email_sender_name is not None:
        changes["email_sender_name"] = sender_name_clean(email_sender_name)
    row = _locked()
    for name, value in changes.items():
        setattr(row, name, value)
    return _saved(organization=organization, row=row, fields=list(changes), actor_email=actor_email, details=changes)


@transaction.atomic
def branding_logo_set(*, organization, upload, actor_email: str) -> Branding:
    """Check the upload, store it re-encoded, make it the logo; the old file goes once this commits."""
    name, width, height = logos.logo_store(logos.logo_read(upload))
    row = _locked()
    old = row.logo_name
    row.logo_name, row.logo_width, row.logo_height = name, width, height
    schema = connection.schema_name
    transaction.on_commit(lambda: old and old != name and logos.logo_remove(old, schema))
    return _saved(organization=organization, row=row, fields=["logo_name", "logo_width", "logo_height"],
                  actor_email=actor_email, details={"logo": name, "width": width, "height": height})


@transaction.atomic
def branding_logo_remove(*, organization, actor_email: str) -> Branding:
    """Go back to no logo; its file goes once this commits."""
    row = _locked()
    old, schema = row.logo_name, connection.schema_name
    row.logo_name, row.logo_width, row.logo_height = "", None, None
    transaction.on_commit(lambda: old and logos.logo_remove(old, schema))
    return _saved(organization=organization, row=row, fields=["logo_name", "logo_width", "logo_height"],
                  actor_email=actor_email, details={"logo": None})


@transaction.atomic
def branding_change(*, organization, actor_email: str, accent_colour: str | None = None,
                    email_sender_name: str | None = None, logo=None, remove_logo: bool = False) -> Branding:
    """Make every change of the settings form at once, or none of them (a bad logo keeps the colour too)."""
    row = branding_update(organization=organization, actor_email=actor_email, accent_colour=accent_colour,
                          email_sender_name=email_sender_name)
    if logo is not None:
        row = branding_logo_set(organization=organization, upload=logo, actor_email=actor_email)
    elif remove_logo and row.logo_name:
        row = branding_logo_remove(organization=organization, actor_email=actor_email)
    return row
