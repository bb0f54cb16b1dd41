from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from billing import handlers  # noqa: F401  (connects the Stripe event receivers)
        from billing.services import StripeBilling
        from subscriptions.billing_provider import billing_provider_register

        billing_provider_register(StripeBilling())
