"""The operators' audit log: one row per action that changed a customer; never updated, never deleted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

# What each action of the log means, in words (the console shows these; the API keeps the codes).
ACTIONS = {
    "organization_update": "Edited the organisation",
    "organization_activate": "Activated the organisation",
    "organization_deactivate": "Deactivated the organisation",
    "subscription_extend_trial": "Extended the trial",
    "subscription_suspend": "Suspended the workspace",
    "subscription_reactivate": "Lifted the suspension",
    "subscription_change_plan": "Changed the plan",
    "subscription_comp": "Gave a plan free (comp)",
    "subscription_end_comp": "Ended the free plan",
    "impersonation_start": "Started an impersonation",
    "impersonation_end": "Ended an impersonation",
    "impersonated_write": "Changed data while impersonating",
    "trial_extension_approve": "Approved a trial extension request",
    "trial_extension_decline": "Declined a trial extension request",
    "deletion_request": "Asked for the workspace's deletion",
    "deletion_undo": "Undid the workspace's deletion",
    "deletion_now": "Deleted the workspace now (legal request)",
    "deletion_purge": "Deleted the workspace for good",
    "sso_settings_update": "Changed the workspace's single sign-on",
    "sso_sign_in": "Signed in with single sign-on",
    "sso_sign_in_failed": "Refused a single sign-on",
    "coupon_create": "Created a coupon and its promotion code",
}


def action_label(action: str) -> str:
    """Return the action in words, or its code when it has none."""
    return ACTIONS.get(action, action)


class AuditEntry(models.Model):
    """Who did what to which customer, when, and with what details.

    ``organization_id`` is a plain integer, not a foreign key: deleting an
    organisation must never delete (or be blocked by) its audit trail. The
    database refuses UPDATE and DELETE on this table (migration 0002).
    """

    actor_id = models.BigIntegerField(null=True, blank=True, help_text="The operator's id in the public schema.")
    actor_email = models.CharField(max_length=254)
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=200, blank=True)
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log entries"

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.target_type} {self.target_label or self.target_id}"
