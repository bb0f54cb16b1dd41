"""Billing status mirrors Stripe; an operator's hold and comp sit beside it; the history is append-only.

Past rows are brought in line: an operator's suspension becomes a hold over the status it
interrupted; a subscription "active" without a Stripe subscription (the first build let a trial
be reactivated into one) keeps its access as a comp, at 0 MRR; each paying event gets the MRR of
its plan and the add-ons active then (the best record there is of what Stripe billed).
"""

from django.db import migrations, models

PAYING = ("active", "past_due")
# Monthly-equivalent cents of each (tier, cycle) at the time of this migration.
PRICES = {
    ("starter", "monthly"): 4900, ("starter", "annual"): 52920 // 12,
    ("professional", "monthly"): 19900, ("professional", "annual"): 214920 // 12,
    ("enterprise", "monthly"): 99900, ("enterprise", "annual"): 1079280 // 12,
}


def _add_ons_at(add_ons, moment) -> int:
    return sum(a.quantity * a.unit_price_cents for a in add_ons
               if a.created_at <= moment and (a.removed_at is None or a.removed_at > moment))


def backfill(apps, schema_editor):
    Subscription = apps.get_model("subscriptions", "Subscription")
    SubscriptionEvent = apps.get_model("subscriptions", "SubscriptionEvent")
    for subscription in Subscription.objects.all().iterator():
        add_ons = list(subscription.add_ons.all())
        events = list(SubscriptionEvent.objects.filter(subscription=subscription).order_by("created_at", "id"))
        for event in events:
            paying = event.to_status in PAYING and subscription.stripe_subscription_id
            plan = (event.tier or subscription.tier, event.billing_cycle or subscription.billing_cycle)
            event.mrr_cents = PRICES.get(plan, 0) + _add_ons_at(add_ons, event.created_at) if paying else 0
        SubscriptionEvent.objects.bulk_update(events, ["mrr_cents"])
        into_suspended = [e for e in events if e.to_status == "suspended" and e.from_status != "suspended"]
        if subscription.status == "suspended" and into_suspended and into_suspended[-1].transition == "suspend":
            subscription.held_at, subscription.hold_reason = subscription.suspended_at, subscription.suspension_reason
            subscription.status = into_suspended[-1].from_status
            subscription.suspended_at, subscription.suspension_reason = None, ""
        if subscription.status in PAYING and not subscription.stripe_subscription_id:
            subscription.comp_tier, subscription.comped_at = subscription.tier, subscription.updated_at
            subscription.comp_reason = "Migrated: active without a Stripe subscription in the first build."
            subscription.status, subscription.suspension_reason = "suspended", "trial_expired"
        if subscription.status in PAYING:
            plan = (subscription.tier, subscription.billing_cycle)
            subscription.mrr_cents = PRICES.get(plan, 0) + sum(
                a.quantity * a.unit_price_cents for a in add_ons if a.removed_at is None)
        subscription.save()


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION subscriptions_event_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The subscription history is append-only: % on subscriptions_subscriptionevent is refused.',
        TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subscriptions_subscriptionevent_append_only
    BEFORE UPDATE OR DELETE ON subscriptions_subscriptionevent
    FOR EACH ROW EXECUTE FUNCTION subscriptions_event_refuse_change();
"""

APPEND_ONLY_REVERSE = """
DROP TRIGGER IF EXISTS subscriptions_subscriptionevent_append_only ON subscriptions_subscriptionevent;
DROP FUNCTION IF EXISTS subscriptions_event_refuse_change();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('subscriptions', '0003_subscription_event_plan'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='subscription',
            name='pending_tier',
        ),
        migrations.AddField(
            model_name='subscription',
            name='checkout_plan',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='subscription',
            name='checkout_session_id',
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name='subscription',
            name='comp_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='comp_tier',
            field=models.CharField(blank=True, choices=[('starter', 'Starter'), ('professional', 'Professional'), ('enterprise', 'Enterprise')], max_length=20),
        ),
        migrations.AddField(
            model_name='subscription',
            name='comped_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='extra_stripe_subscription_ids',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='subscription',
            name='held_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='hold_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='subscription',
            name='mrr_cents',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='subscription',
            name='pending_plan',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='subscriptionevent',
            name='mrr_cents',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunSQL(APPEND_ONLY, APPEND_ONLY_REVERSE),
    ]
