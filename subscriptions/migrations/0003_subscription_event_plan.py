from django.db import migrations, models


# A scheduled downgrade names the tier it will move to, not the one it leaves the subscription on.
PLAN_CHANGES = {"schedule_downgrade": False}


def backfill_plans(apps, schema_editor):
    """Give past events the plan they left behind: what their details name, else the one before.

    Events before the first that names a tier (or cycle) get the first one named, else today's.
    """
    Subscription = apps.get_model("subscriptions", "Subscription")
    SubscriptionEvent = apps.get_model("subscriptions", "SubscriptionEvent")
    for subscription in Subscription.objects.all().iterator():
        tier, cycle = subscription.tier, subscription.billing_cycle
        events = list(SubscriptionEvent.objects.filter(subscription=subscription).order_by("created_at", "id"))
        named = [PLAN_CHANGES.get(e.transition, True) and (e.details or {}) for e in events]
        tier = next((d["tier"] for d in named if d and d.get("tier")), tier)
        cycle = next((d["billing_cycle"] for d in named if d and d.get("billing_cycle")), cycle)
        for event, details in zip(events, named, strict=True):
            details = details or {}
            tier = details.get("tier") or tier
            cycle = details.get("billing_cycle") or cycle
            event.tier, event.billing_cycle = tier, cycle
        SubscriptionEvent.objects.bulk_update(events, ["tier", "billing_cycle"])


class Migration(migrations.Migration):

    dependencies = [
        ('subscriptions', '0002_last_paid_invoice_id'),
    ]

    operations = [
        migrations.AddField(
            model_name='subscriptionevent',
            name='billing_cycle',
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddField(
            model_name='subscriptionevent',
            name='tier',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.RunPython(backfill_plans, migrations.RunPython.noop),
    ]
