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
    "sign_in": Page(
        "marketing:sign_in",
        "Sign in — Unison",
        "Sign in to your Unison workspace at its own address, or have the addresses of your "
        "workspaces sent to your e-mail.",
        0.4,
    ),
    "workspace_find": Page(
        "marketing:workspace_find",
        "Find your workspace — Unison",
        "Forgot your Unison workspace's address? Enter your e-mail and we send you a link to every "
        "workspace where you have an account.",
        0.3,
    ),
    "terms": Page(
        "marketing:terms",
        "Terms of service — Unison",
        "The terms on which Unison provides its manufacturing execution service: trials, plans, "
        "payment, your data, and ending a subscription.",
        0.2,
    ),
    "privacy": Page(
        "marketing:privacy",
        "Privacy — Unison",
        "What Unison collects about you and your workspace, why, where it is kept, who processes it, "
        "and how to get a copy or have it deleted.",
        0.2,
    ),
    "contact": Page(
        "marketing:contact",
        "Contact — Unison",
        "How to reach the people behind Unison: sales questions, support for your workspace, billing "
        "and privacy requests.",
        0.3,
    ),
}
