"""Impersonation on a tenant host: its end is enforced on every request, and every write is audited;
and the console's own sessions, which end after a spell of inactivity (``ConsoleIdleMiddleware``).

The session carries what the token redeemed (``accounts.views.token_login``): ``impersonator``,
``impersonation_token`` and ``impersonation_ends_at`` (token used_at + session_seconds). Django's
own session expiry slides with use; the end time here does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_htmx.http import HttpResponseClientRedirect

from platform_admin.services import console_session_expire, impersonation_end, impersonation_write_record
from tenants.hosts import public_origin

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
CONSOLE_SEEN_KEY = "console_seen_at"


@dataclass(frozen=True)
class Impersonation:
    """The operator behind this tenant session, and when their time is up."""

    impersonator: str
    token_id: int | None
    ends_at: datetime | None  # None: a session from before end times were kept; it ends at once

    def has_ended(self, now: datetime) -> bool:
        return self.ends_at is None or now >= self.ends_at

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.ends_at - timezone.now()).total_seconds())) if self.ends_at else 0

    @property
    def minutes_left(self) -> int:
        """Return the whole minutes left, rounded up (the last seconds show as 1 min)."""
        return math.ceil(self.seconds_left / 60)

    @property
    def console_url(self) -> str:
        """Return the console page an operator lands on when this impersonation ends."""
        path = reverse("admin:impersonation_ended", args=[self.token_id or 0], urlconf="unison.urls_public")
        return f"{public_origin()}{path}"


def session_impersonation(session) -> Impersonation | None:
    """Return the impersonation the session is signed in under, or None for a user's own session."""
    impersonator = session.get("impersonator")
    if not impersonator:
        return None
    ends_at = parse_datetime(session.get("impersonation_ends_at") or "")
    return Impersonation(impersonator=impersonator, token_id=session.get("impersonation_token"), ends_at=ends_at)


class ImpersonationMiddleware:
    """Sign an impersonation out at its end (once audited, back to the console); audit its writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        on_tenant_host = getattr(request, "tenant", None) is not None
        impersonation = session_impersonation(session) if session is not None and on_tenant_host else None
        if impersonation is None:
            return self.get_response(request)
        if impersonation.has_ended(timezone.now()):
            return self.end(request, impersonation)
        request.impersonation = impersonation
        response = self.get_response(request)
        # A request that ended the impersonation (the sign-out) is audited as its end, not as a write.
        if request.method not in SAFE_METHODS and response.status_code < 400 and session.get("impersonator"):
            impersonation_write_record(
                organization=request.tenant, impersonator=impersonation.impersonator,
                user_email=getattr(request.user, "email", ""),
                token_id=impersonation.token_id, method=request.method, path=request.path,
                status=response.status_code,
            )
        return response

    @staticmethod
    def end(request, impersonation: Impersonation):
        """Record the end as "expired", sign out, and send the browser to the console (an API call gets 401)."""
        user = request.user
        impersonation_end(token_id=impersonation.token_id, impersonator=impersonation.impersonator,
                          user_id=user.pk, user_email=getattr(user, "email", ""), ended_by="expired")
        logout(request)  # its sign-out receiver finds the end recorded and adds nothing
        if request.path.startswith("/api/"):
            body = {"code": "impersonation_ended", "detail": "The impersonation has ended; start a new one from the console."}
            return JsonResponse(body, status=401, headers={"WWW-Authenticate": 'Bearer realm="api"'})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(impersonation.console_url)
        return HttpResponseRedirect(impersonation.console_url)


class ConsoleIdleMiddleware:
    """Sign an operator out after ``CONSOLE_IDLE_MINUTES`` without a request on the public host; audited.

    The time of each request is kept in the session (server-side); the first request after the gap
    signs out and goes to the console's sign-in (an API call gets 401).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "session", None) is None or getattr(request, "tenant", None) is not None:
            return self.get_response(request)
        now = timezone.now()
        if self.operator(request):
            expired = self.expire(request, now)
            if expired is not None:
                return expired
        response = self.get_response(request)
        if self.operator(request):  # also the request that signed in
            request.session[CONSOLE_SEEN_KEY] = now.isoformat()
        return response

    @staticmethod
    def operator(request) -> bool:
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and user.is_superuser)

    @staticmethod
    def expire(request, now: datetime):
        """Sign out and answer if the session has been idle too long; else return None."""
        user = request.user
        seen = parse_datetime(request.session.get(CONSOLE_SEEN_KEY) or "")
        if seen is not None and (now - seen).total_seconds() > settings.CONSOLE_IDLE_MINUTES * 60:
            console_session_expire(user=user, idle_since=seen)
            logout(request)
            if request.path.startswith("/api/"):
                body = {"code": "session_expired", "detail": "The console session expired after inactivity; sign in again."}
                return JsonResponse(body, status=401)
            messages.info(request, f"You were signed out after {settings.CONSOLE_IDLE_MINUTES} minutes without activity.")
            return HttpResponseRedirect(f"{reverse('admin:login')}?{urlencode({'next': request.get_full_path()})}")
        return None
