"""Search-engine facts of each public page: title, description and canonical address."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from tenants.hosts import public_origin


@dataclass(frozen=True)
class Page:
    url_name: str
    title: str
    description: str
    priority: float = 0.5

    @property
    def path(self) -> str:
        """Return the page's path on the public host."""
        return reverse(self.url_name, urlconf=settings.PUBLIC_SCHEMA_URLCONF)

    @property
    def canonical_url(self) -> str:
        """Return the page's absolute address on the public host."""
        return public_origin() + self.path


PAGES: dict[str, Page] = {
    "landing": Page(
        "marketing:landing",
        "Unison — configure your shop floor in hours, not months",
        "Manufacturing execution for growing plants: work orders, quality (NCRs), inventory and "
        "multi-plant operations, configured in the browser. Start a free trial today.",
        1.0,
    ),
    "pricing": Page(
        "marketing:pricing",
        "Pricing — Unison plans for every plant",
        "Compare Unison's Starter, Professional and Enterprise plans: prices, limits, every feature "
        "side by side, add-ons, annual savings and answers to common questions.",
        0.8,
    ),
    "signup": Page(
        "marketing:signup",
        "Start your free trial — Unison",
        "Create your Unison workspace in a minute: pick a subdomain, sign in, and explore every "
        "Professional feature free. No card needed.",
        0.6,
    ),
}
