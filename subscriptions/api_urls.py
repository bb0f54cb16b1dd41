from django.urls import path

from subscriptions import api

urlpatterns = [
    path("subscription", api.SubscriptionView.as_view(), name="subscription"),
    path("subscription/usage", api.UsageView.as_view(), name="subscription_usage"),
    path("subscription/upgrade", api.UpgradeView.as_view(), name="subscription_upgrade"),
    path("subscription/downgrade", api.DowngradeView.as_view(), name="subscription_downgrade"),
    path("subscription/cancel", api.CancelView.as_view(), name="subscription_cancel"),
    path("subscription/resume", api.ResumeView.as_view(), name="subscription_resume"),
    path("subscription/limits/check", api.LimitCheckView.as_view(), name="subscription_limits_check"),
    path("trial-extension", api.TrialExtensionView.as_view(), name="trial_extension"),
]
