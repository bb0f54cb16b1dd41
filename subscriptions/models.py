"""Subscriptions, add-ons, usage snapshots and the subscription's event history (public schema)."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone

from subscriptions import catalog


class Status(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    ANNUAL = "annual", "Annual"


TIER_CHOICES = [(t.key, t.name) for t in catalog.TIERS.values()]
CURRENCY_CHOICES = [(c, c.upper()) for c in catalog.CURRENCIES]


class Subscription(models.Model):
    organization = models.OneToOneField("tenants.Organization", on_delete=models.CASCADE, related_name="subscription")
    tier = models.CharField(max_length=20, choices=TIER_CHOICES, default=catalog.TRIAL_TIER)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.TRIALING, db_index=True)
    billing_cycle = models.CharField(max_length=10, choices=BillingCycle.choices, default=BillingCycle.MONTHLY)
    trial_starts_at = models.DateTimeField(null=True, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True, db_index=True)
    trial_converted = models.BooleanField(default=False)
    converted_at = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # A change Stripe applies at the end of the period (its subscription schedule), mirrored:
    # {"tier", "billing_cycle", "add_ons": {kind: quantity}, "starts_at": iso} or {}.
    pending_plan = models.JSONField(default=dict, blank=True)
    failed_payment_count = models.PositiveSmallIntegerField(default=0)
    # Set by billing: the trial ended unpaid ("trial_expired") or Stripe gave up collecting ("payment_failed").
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    # An operator's hold: read-only whatever Stripe says, until an operator lifts it.
    held_at = models.DateTimeField(null=True, blank=True)
    hold_reason = models.TextField(blank=True)
    # An operator's comp: this tier given free (0 MRR), beside whatever Stripe bills.
    comp_tier = models.CharField(max_length=20, choices=TIER_CHOICES, blank=True)
    comp_reason = models.TextField(blank=True)
    comped_at = models.DateTimeField(null=True, blank=True)
    # What Stripe bills this subscription a month, net of discounts, while it pays (active or past due):
    # in its own currency, and in US cents by the catalog's rate table (what every metric adds up).
    mrr_cents = models.PositiveIntegerField(default=0)
    mrr_native_cents = models.PositiveIntegerField(default=0)
    # The currency it pays in: the visitor's choice at signup until its first Stripe subscription fixes
    # it (mirrored from Stripe, which bills a customer in one currency).
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=catalog.CURRENCY)
    currency_fixed = models.BooleanField(default=False)
    # The open Stripe Checkout session, and the plan it sells, so a second tab reuses or is refused.
    checkout_session_id = models.CharField(max_length=255, blank=True)
    checkout_plan = models.JSONField(default=dict, blank=True)
    # Further live Stripe subscriptions of this customer: flagged for operators, never counted.
    extra_stripe_subscription_ids = models.JSONField(default=list, blank=True)
    # The owner's choice to be billed for storage beyond the limit instead of being stopped at it, and
    # the metered Stripe subscription item that bills it (mirrored; blank when Stripe has none).
    storage_overage_enabled = models.BooleanField(default=False)
    storage_overage_item_id = models.CharField(max_length=255, blank=True)
    # Stripe's discount on the subscription, mirrored: coupon_id, promotion_code, terms (in words),
    # percent_off / amount_off, duration, duration_in_months, start and end (ISO); {} without one.
    discount = models.JSONField(default=dict, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    # The last invoice known paid: a late "payment failed" for it must not undo the payment.
    last_paid_invoice_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization} · {self.tier} · {self.status}"

    @property
    def plan(self) -> catalog.Tier:
        return catalog.tier(self.tier)

    @property
    def discount_ends_at(self):
        """Return when Stripe's discount on the subscription ends, or None (none, or it lasts)."""
        end = (self.discount or {}).get("end")
        return datetime.fromisoformat(end) if end else None

    @property
    def days_left_in_trial(self) -> int | None:
        """Return whole days until the trial ends (rounded up), 0 once over, None if not trialing."""
        if self.status != Status.TRIALING or not self.trial_ends_at:
            return None
        seconds = (self.trial_ends_at - timezone.now()).total_seconds()
        return max(0, -int(-seconds // 86400))

    @property
    def trial_is_over(self) -> bool:
        """Return whether a trial without a card in Stripe has reached its end (before the job suspends it).

        A trial Stripe runs (checkout done, card on file) ends when Stripe charges or gives up.
        """
        return (
            self.status == Status.TRIALING and not self.stripe_subscription_id
            and self.trial_ends_at is not None and self.trial_ends_at <= timezone.now()
        )

    @property
    def is_held(self) -> bool:
        return self.held_at is not None

    @property
    def is_read_only(self) -> bool:
        """Suspended and cancelled organisations, and trials past their end, may read, export and pay only."""
        return self.status in (Status.SUSPENDED, Status.CANCELLED) or self.trial_is_over


class SubscriptionAddOn(models.Model):
    ADD_ON_CHOICES = [(a.key, a.name) for a in catalog.ADD_ONS.values()]

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="add_ons")
    kind = models.CharField(max_length=20, choices=ADD_ON_CHOICES)
    quantity = models.PositiveIntegerField(default=1)
    unit_price_cents = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "kind"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_add_on_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.kind}"


class UsageSnapshot(models.Model):
    organization = models.ForeignKey("tenants.Organization", on_delete=models.CASCADE, related_name="usage_snapshots")
    users = models.PositiveIntegerField()
    plants = models.PositiveIntegerField()
    storage_bytes = models.BigIntegerField()
    measured_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-measured_at"]
        indexes = [models.Index(fields=["organization", "-measured_at"])]

    def __str__(self) -> str:
        return f"{self.organization_id} usage at {self.measured_at:%Y-%m-%d %H:%M}"


class SubscriptionEvent(models.Model):
    """One row per transition: the subscription's own history, written with the change.

    Append-only: the database refuses UPDATE and DELETE (migration 0004), so metrics cannot be rewritten.
    """

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    actor = models.CharField(max_length=254, default="system")
    details = models.JSONField(default=dict, blank=True)
    # The plan after the event, so past MRR prices each day at that day's plan (blank: unknown).
    tier = models.CharField(max_length=20, blank=True)
    billing_cycle = models.CharField(max_length=10, blank=True)
    # What Stripe bills a month after the event (0 while not paying): the metrics' ledger.
    mrr_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_status} → {self.to_status}"


class TrialExtensionRequest(models.Model):
    """A trialing workspace's owner asking operators for more trial days: one per organisation (its one trial).

    Kept in the public schema so operators see every request; the asker is a tenant user, named by
    e-mail and id (no foreign key across schemas).
    """

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    organization = models.OneToOneField("tenants.Organization", on_delete=models.CASCADE,
                                        related_name="trial_extension_request", verbose_name="organisation")
    requested_by_id = models.BigIntegerField(help_text="The owner's id in the workspace's schema.")
    requested_by_email = models.EmailField()
    days_requested = models.PositiveSmallIntegerField()
    reason = models.TextField()
    trial_ends_at = models.DateTimeField(null=True, help_text="The trial's end when the request was made.")
    status = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True)
    days_granted = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_by = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "trial extension request"

    def __str__(self) -> str:
        return f"{self.organization}: {self.days_requested} more trial days"
