"""How django-axes counts failed sign-ins: which account and address they name, and when they lock.

Failures are counted per workspace (axes' tables live in each tenant schema) under three keys,
each with its own limit (``unison/settings/auth.py``): one account from one address, one account
from any address, and one address against any account. Whichever key reaches its limit first locks.
"""

from __future__ import annotations

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.db.models import Sum
from rest_framework.throttling import BaseThrottle

from unison.errors import ApplicationError

# The page says the same in its template (accounts/locked_out.html).
LOCKED_OUT = (
    "Too many failed sign-ins. For your security, sign-in is paused for a few minutes. "
    "Try again later or reset your password."
)


class SignInLocked(ApplicationError):
    """The token API's answer to a locked sign-in: the same for an unknown e-mail as for a real account."""

    code = "locked_out"
    status = 429

    def __init__(self):
        super().__init__(LOCKED_OUT)


def lockout_username(request, credentials: dict | None = None) -> str:
    """Return the e-mail the attempt names, trimmed and lowercased, from the sign-in form or the token API.

    Without this, ``OWNER@x`` and ``owner@x`` would count as two accounts and each
    get its own allowance of failures.
    """
    source = credentials or getattr(request, "data", None) or request.POST
    return str(source.get("username") or source.get("email") or "").strip().lower()


def lockout_address(request) -> str:
    """Return the client's address as every throttle sees it (DRF's rule with the NUM_PROXIES setting).

    With no trusted proxy (NUM_PROXIES 0, the default) this is the socket's address: an
    X-Forwarded-For the client makes up counts for nothing.
    """
    return BaseThrottle().get_ident(request)


def failure_limits() -> dict[tuple[str, ...], int]:
    """Return the failure limit of each lockout key, keyed by the key's parameters."""
    return {
        ("username", "ip_address"): settings.AXES_FAILURE_LIMIT,
        ("username",): settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT,
        ("ip_address",): settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
    }


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout key, where axes has one for all of them."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """Return AXES_FAILURE_LIMIT less the fewest failures any key has left before its own limit.

        Axes locks when this reaches AXES_FAILURE_LIMIT, that is when any key reaches its limit.
        """
        limits = failure_limits()
        keys = [tuple([parameter] if isinstance(parameter, str) else parameter)
                for parameter in get_lockout_parameters(request, credentials)]
        attempts = self.get_user_attempts(request, credentials)
        left = min(
            limits[key] - (counted.aggregate(total=Sum("failures_since_start"))["total"] or 0)
            for key, counted in zip(keys, attempts, strict=True)
        )
        return settings.AXES_FAILURE_LIMIT - left

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """Forget the failures of the signed-in account from this address, and only those.

        Axes' own reset deletes every failure of the account and every failure of the address:
        one sign-in to an account of their own would wipe an attacker's count across accounts.
        """
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).delete()
        return count
