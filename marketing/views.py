"""Public marketing pages."""

from __future__ import annotations

from django.shortcuts import render


def landing(request):
    """Render the landing page."""
    return render(request, "marketing/landing.html")
