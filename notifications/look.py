"""How a workspace's e-mails look: the sender's name, a logo and the accent colour.

Notifications does not import the app that keeps them: ``branding`` registers its lookup here from
its ``AppConfig.ready()``. Without one, or for a workspace without white labelling, e-mails look like Unison's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings


@dataclass(frozen=True)
class EmailLook:
    sender_name: str = ""  # blank: DEFAULT_FROM_EMAIL as it is
    logo_url: str = ""  # absolute, on the workspace's host
    accent: str = "#0b4f8a"
    signature: str = "The Unison team"

    def from_email(self) -> str:
        """Return the From header: the sender's name with our own address (never the workspace's)."""
        if not self.sender_name:
            return settings.DEFAULT_FROM_EMAIL
        return formataddr((self.sender_name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


UNISON = EmailLook()
_registered: list[Callable[[object], EmailLook]] = []


def email_look_register(lookup: Callable[[object], EmailLook]) -> None:
    """Make ``lookup(organization) -> EmailLook`` the one e-mails use (replacing any before)."""
    _registered[:] = [lookup]


def email_look(organization) -> EmailLook:
    """Return how the organisation's e-mails look."""
    return _registered[0](organization) if _registered and organization is not None else UNISON
