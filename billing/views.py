"""The tenant's billing page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def billing_page(request):
    """Render the current plan, usage and invoices."""
    return render(request, "billing/page.html")
