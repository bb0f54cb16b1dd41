"""The dashboard: what needs attention today, and how far setup has come."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from shopfloor import selectors
from shopfloor.models import ONBOARDING_STEPS


@login_required
def dashboard(request):
    """Render the dashboard; send an owner who has not started setup to the wizard first."""
    state = selectors.onboarding_state()
    if (
        request.user.role == "owner"
        and state.completed_at is None
        and ONBOARDING_STEPS[0] not in state.steps_done
        and not request.session.get("impersonator")
    ):
        return redirect("shopfloor:onboarding")
    summary = selectors.dashboard_summary(with_ncrs=request.entitlements.has("quality_management"),
                                          with_setup=request.user.can_configure, state=state)
    return render(request, "shopfloor/dashboard.html", summary)
