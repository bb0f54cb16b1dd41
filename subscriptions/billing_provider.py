"""The seam between subscriptions and the app that takes payments (``billing``, through Stripe).

Subscriptions does not import billing: billing registers itself here from its ``AppConfig.ready()``,
and the subscription API and the console call ``billing_provider()`` for anything paid.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class BillingProvider(Protocol):
    def plan_change(self, *, organization, tier: str, billing_cycle: str, add_ons: dict[str, int] | None,
                    actor: str, return_url: str) -> str:
        """Change the paid plan (or raise PaymentRequired with a checkout URL); return what happened."""

    def cancel(self, *, organization, actor: str, at_period_end: bool = True) -> None:
        """Cancel at the end of the period (a trial without a card may also end now)."""

    def resume(self, *, organization, actor: str) -> None:
        """Take back a cancellation that has not happened yet."""

    def trial_extend(self, *, organization, days: int, actor: str, idempotency_key: str = ""):
        """Give the trial ``days`` more (in Stripe when Stripe runs it); return the subscription."""

    def trial_end_set(self, *, organization, trial_end, actor: str):
        """Move the end of the trial Stripe runs (the customer checked out with a card); return ours."""

    def coupon_create(self, **coupon):
        """Create a coupon and its promotion code (``billing_coupon_create``); return the promotion code."""

    def usage_report(self, *, snapshots) -> int:
        """Bill what the usage sweep measured beyond the limits (storage overage); return how many it measured."""


_registered: list[BillingProvider] = []


def billing_provider_register(provider: BillingProvider) -> None:
    """Make ``provider`` the one the subscription API and the console use (replacing any before)."""
    _registered[:] = [provider]


def billing_provider() -> BillingProvider:
    """Return the registered billing provider; raise ImproperlyConfigured if no app registered one."""
    if not _registered:
        raise ImproperlyConfigured("No billing provider is registered: add 'billing' to INSTALLED_APPS.")
    return _registered[0]
