"""Two-factor sign-in within a request: the sign-in waiting between password and code, and its failures.

After the password, nobody is signed in yet: the session holds only the pending sign-in (user,
backend, where to go, when). The code finishes it with Django's ``login`` and marks the session
``two_factor = "verified"``. A wrong, reused or used code is sent as Django's ``user_login_failed``,
so django-axes counts it with the password failures of the same account and address (one lockout
for both, ``accounts.lockout``) and the console's audit log records it (platform_admin.receivers).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.lockout import SignInLocked
from accounts.two_factor import TwoFactorInvalid

PENDING_KEY = "two_factor_pending"
STATE_KEY = "two_factor"  # "verified": passed a code; "none": signed in when no code was needed
NEW_CODES_KEY = "two_factor_new_codes"
PENDING_SECONDS = 300
VERIFIED, NONE = "verified", "none"


def pending_begin(request, user, *, backend: str, next_url: str) -> None:
    """Remember that ``user`` gave the right password; the code comes next."""
    request.session[PENDING_KEY] = {"user": user.pk, "backend": backend, "next": next_url,
                                    "at": timezone.now().isoformat()}


def pending_user(request):
    """Return the user whose password was right within the last five minutes, or None."""
    pending = request.session.get(PENDING_KEY) or {}
    started = parse_datetime(pending.get("at") or "")
    if started is None or (timezone.now() - started).total_seconds() > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()


def pending_next(request, default: str) -> str:
    return (request.session.get(PENDING_KEY) or {}).get("next") or default


def code_attempt(request, *, user, check):
    """Return ``check()``; a TwoFactorInvalid it raises counts as a failed sign-in of ``user``.

    Raise SignInLocked while the account (or address) is locked out, code or no code.
    """
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {"username": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        user_login_failed.send(sender=__name__, credentials={**credentials, "two_factor": "locked_out"},
                               request=request)
        raise SignInLocked()
    try:
        return check()
    except TwoFactorInvalid as exc:
        user_login_failed.send(sender=__name__, credentials={**credentials, "two_factor": exc.reason}, request=request)
        if getattr(request, "axes_locked_out", False):
            raise SignInLocked() from None
        raise


def sign_in_complete(request, user, *, method: str) -> None:
    """Sign the pending user in, as having passed the second factor by ``method``."""
    backend = (request.session.get(PENDING_KEY) or {}).get("backend") or "django.contrib.auth.backends.ModelBackend"
    request.two_factor_method = method  # for the sign-in's audit entry (platform_admin.receivers)
    login(request, user, backend=backend)
    request.session.pop(PENDING_KEY, None)
    request.session[STATE_KEY] = VERIFIED


def session_verified(request) -> bool:
    session = getattr(request, "session", None)
    return session is not None and session.get(STATE_KEY) == VERIFIED
