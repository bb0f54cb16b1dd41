"""Shop-floor pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    """Render the workspace dashboard."""
    return render(request, "shopfloor/dashboard.html")
