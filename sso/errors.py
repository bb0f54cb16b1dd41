"""The refusals of single sign-on: each names the problem for the person and a reason for the audit log."""

from __future__ import annotations

from unison.errors import ApplicationError


class SsoRefused(ApplicationError):
    """A sign-in the identity provider's answer (or its set-up) does not allow; ``code`` is the audited reason."""

    code = "sso_refused"
    status = 403


class ProviderUnreachable(SsoRefused):
    """The identity provider could not be reached, or answered something we cannot use (a bad gateway)."""

    code = "provider_unreachable"
    status = 502
