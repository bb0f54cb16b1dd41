"""Listen for Django's sign-out on tenant hosts to record the end of an impersonation."""

from __future__ import annotations

from platform_admin.services import impersonation_end


def impersonation_sign_out(sender, request, user, **kwargs) -> None:
    """Audit the end of an impersonation when its session signs out ("End impersonation")."""
    session = getattr(request, "session", None)
    if user is None or session is None or not session.get("impersonator"):
        return
    impersonation_end(
        token_id=session.get("impersonation_token"), impersonator=session["impersonator"], user_id=user.pk,
        user_email=user.email,
    )
