from django.urls import path

from subscriptions import views

app_name = "subscriptions"
urlpatterns = [
    path("trial-banner/dismiss/", views.dismiss_trial_banner, name="dismiss_trial_banner"),
    path("trial-extension/", views.trial_extension, name="trial_extension"),
]
