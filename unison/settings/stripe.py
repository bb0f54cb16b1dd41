"""Stripe and dj-stripe."""

from __future__ import annotations

from unison.settings.env import env

# Test keys must look real to dj-stripe: sk_test_ followed by 24+ characters.
STRIPE_TEST_SECRET_KEY = env("STRIPE_TEST_SECRET_KEY", default="sk_test_" + "unisondevelopmentkey000000")
STRIPE_LIVE_SECRET_KEY = env("STRIPE_LIVE_SECRET_KEY", default="")
STRIPE_LIVE_MODE = env.bool("STRIPE_LIVE_MODE", default=False)
# Where the Stripe API lives; tests point this at a local localstripe server.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_SUBSCRIBER_MODEL = "tenants.Organization"
DJSTRIPE_WEBHOOK_VALIDATION = "verify_signature"
DJSTRIPE_USE_NATIVE_JSONFIELD = True
# dj-stripe's migration history is flattened into one generated migration.
MIGRATION_MODULES = {"djstripe": "billing.djstripe_migrations"}
