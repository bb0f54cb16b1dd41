"""Two-factor sign-in on a workspace host, for sessions that did not pass through the code.

A session signed in with a code is marked ``verified`` (``accounts.two_factor_flow``). Any other
session of an account that has an authenticator is signed out (it predates the authenticator, or
skipped the code); one whose workspace requires two-factor is sent to set it up. Impersonation
sessions are the operator's, who signed in to the console with a code, and pass.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.two_factor import two_factor_enabled
from accounts.two_factor_flow import NONE, STATE_KEY, VERIFIED

# Pages a user who still has to set up two-factor may open.
SET_UP_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/static/")


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def refusal(self, request):
        organization, session = getattr(request, "tenant", None), getattr(request, "session", None)
        user = getattr(request, "user", None)
        if organization is None or session is None or not (user and user.is_authenticated):
            return None
        state = session.get(STATE_KEY)
        if state == VERIFIED or session.get("impersonator"):
            return None
        if state is None:  # a session made before this rule, or without our sign-in page
            if two_factor_enabled(user):
                logout(request)
                return self.answer(request, 401, "two_factor_required",
                                   "Sign in again with your two-factor code.", reverse("accounts:login"))
            session[STATE_KEY] = NONE
        if organization.require_two_factor and not request.path.startswith(SET_UP_PATHS):
            return self.answer(request, 403, "two_factor_enrolment_required",
                               f"{organization.name} requires two-factor sign-in: set it up to continue.",
                               reverse("accounts:two_factor_setup"))
        return None

    @staticmethod
    def answer(request, status: int, code: str, detail: str, url: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"code": code, "detail": detail}, status=status)
        messages.info(request, detail)
        return redirect(url)
