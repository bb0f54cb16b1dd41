"""Reads of a workspace's white labelling: for its pages (cached), its e-mails and its API."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django_tenants.utils import schema_context

from branding.colours import shades
from branding.models import Branding
from notifications.look import UNISON, EmailLook
from subscriptions.entitlements import entitlements_for

CACHE_KEY = "branding:look"  # django_tenants.cache.make_key puts the schema in front
CACHE_SECONDS = 300
FEATURE = "white_labeling"


@dataclass(frozen=True)
class Look:
    accent_colour: str = ""
    email_sender_name: str = ""
    logo_name: str = ""
    logo_width: int | None = None
    logo_height: int | None = None
    shades: dict[int, str] = field(default_factory=dict)

    @property
    def logo_url(self) -> str:
        """Return the logo's path on the workspace's host, or ""."""
        if not self.logo_name:
            return ""
        return reverse("branding:logo", kwargs={"name": self.logo_name}, urlconf="unison.urls_tenant")

    @property
    def is_default(self) -> bool:
        return not (self.accent_colour or self.email_sender_name or self.logo_name)


def branding_row() -> Branding | None:
    """Return the current workspace's branding row, or None before its first change."""
    return Branding.objects.filter(pk=1).first()


def branding_look() -> Look:
    """Return the current workspace's look, from the cache when it is there (no query on most pages)."""
    look = cache.get(CACHE_KEY)
    if look is None:
        row = branding_row()
        look = Look() if row is None else Look(
            accent_colour=row.accent_colour, email_sender_name=row.email_sender_name, logo_name=row.logo_name,
            logo_width=row.logo_width, logo_height=row.logo_height,
            shades=shades(row.accent_colour) if row.accent_colour else {})
        cache.set(CACHE_KEY, look, CACHE_SECONDS)
    return look


def branding_forget() -> None:
    """Drop the cached look of the current workspace."""
    cache.delete(CACHE_KEY)


def branding_shown(request) -> Look | None:
    """Return the look a page of the workspace shows: None unless its plan has white labelling and it set any."""
    if getattr(request, "tenant", None) is None or not request.entitlements.has(FEATURE):
        return None
    look = branding_look()
    return None if look.is_default else look


def email_look_for(organization) -> EmailLook:
    """Return how the organisation's e-mails look: its branding when its plan has white labelling."""
    if not entitlements_for(organization).has(FEATURE):
        return UNISON
    same = connection.schema_name == organization.schema_name
    with nullcontext() if same else schema_context(organization.schema_name):
        look = branding_look()
    if look.is_default:
        return UNISON
    return EmailLook(
        sender_name=look.email_sender_name,
        logo_url=f"{organization.url.rstrip('/')}{look.logo_url}" if look.logo_name else "",
        accent=look.accent_colour or UNISON.accent,
        signature=look.email_sender_name or f"The {organization.name} team",
    )
