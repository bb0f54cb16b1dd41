"""The admin API, mounted at /api/v1/admin/ on the public host."""

from django.urls import path

from platform_admin import api

urlpatterns = [
    path("auth/token", api.OperatorTokenView.as_view(), name="admin_api_token"),
    path("organizations", api.OrganizationListView.as_view(), name="admin_api_organizations"),
    path("organizations/<int:pk>", api.OrganizationDetailView.as_view(), name="admin_api_organization"),
    path("subscriptions", api.SubscriptionListView.as_view(), name="admin_api_subscriptions"),
    path("subscriptions/<int:pk>/extend-trial", api.ExtendTrialView.as_view(), name="admin_api_extend_trial"),
    path("subscriptions/<int:pk>/suspend", api.SuspendView.as_view(), name="admin_api_suspend"),
    path("subscriptions/<int:pk>/reactivate", api.ReactivateView.as_view(), name="admin_api_reactivate"),
    path("subscriptions/<int:pk>/comp", api.CompView.as_view(), name="admin_api_comp"),
    path("subscriptions/<int:pk>/end-comp", api.EndCompView.as_view(), name="admin_api_end_comp"),
    path("subscriptions/<int:pk>/change-plan", api.ChangePlanView.as_view(), name="admin_api_change_plan"),
    path("metrics", api.MetricsView.as_view(), name="admin_api_metrics"),
    path("metrics/growth", api.GrowthView.as_view(), name="admin_api_growth"),
    path("metrics/movements", api.MovementsView.as_view(), name="admin_api_movements"),
    path("metrics/cohorts", api.CohortsView.as_view(), name="admin_api_cohorts"),
    path("metrics/retention-cohorts", api.RetentionCohortsView.as_view(), name="admin_api_retention_cohorts"),
    path("metrics/csv/<str:table>", api.MetricsCsvView.as_view(), name="admin_api_metrics_csv"),
    path("usage/top-organizations", api.TopOrganizationsView.as_view(), name="admin_api_top_organizations"),
    path("usage/violations", api.ViolationsView.as_view(), name="admin_api_violations"),
    path("impersonate", api.ImpersonateView.as_view(), name="admin_api_impersonate"),
    path("trial-extensions", api.TrialExtensionListView.as_view(), name="admin_api_trial_extensions"),
    path("trial-extensions/<int:pk>/approve", api.TrialExtensionApproveView.as_view(),
         name="admin_api_trial_extension_approve"),
    path("trial-extensions/<int:pk>/decline", api.TrialExtensionDeclineView.as_view(),
         name="admin_api_trial_extension_decline"),
    path("audit-logs", api.AuditLogView.as_view(), name="admin_api_audit_logs"),
]
