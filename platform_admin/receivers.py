"""Listen for Django's sign-in signals: the end of an impersonation, and the sign-in audit trail.

Every console sign-in and failed sign-in (password or code, page or API) is audited, and so is
every failed two-factor code on a workspace host.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address

from platform_admin.services import impersonation_end, sign_in_record


def impersonation_sign_out(sender, request, user, **kwargs) -> None:
    """Audit the end of an impersonation when its session signs out ("End impersonation")."""
    session = getattr(request, "session", None)
    if user is None or session is None or not session.get("impersonator"):
        return
    impersonation_end(
        token_id=session.get("impersonation_token"), impersonator=session["impersonator"], user_id=user.pk,
        user_email=user.email,
    )


def _where(request) -> dict:
    return {"ip_address": get_client_ip_address(request) if request is not None else None,
            "path": getattr(request, "path", "")[:200]}


def sign_in_succeeded(sender, request, user, **kwargs) -> None:
    """Audit an operator's sign-in to the console (public host): by page with its second factor, or by API."""
    if request is None or getattr(request, "tenant", None) is not None or not user.is_superuser:
        return
    method = getattr(request, "two_factor_method", None) or "api_token"
    sign_in_record(action="console_sign_in", email=user.email, user=user,
                   details={**_where(request), "two_factor": method})


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """Audit a failed console sign-in, and a failed two-factor code anywhere."""
    organization = getattr(request, "tenant", None)
    reason = credentials.get("two_factor")
    if organization is not None and not reason:
        return  # a workspace's wrong passwords are counted by axes, not audited here
    from django.contrib.auth import get_user_model

    email = str(credentials.get("username") or credentials.get("email") or "")
    user = get_user_model().objects.filter(email=email.strip().lower()).first() if email else None
    action = "two_factor_failed" if reason else "console_sign_in_failed"
    sign_in_record(action=action, email=email, user=user, organization=organization,
                   details={**_where(request), "reason": reason or "wrong_password",
                            "locked_out": bool(getattr(request, "axes_locked_out", False))})
