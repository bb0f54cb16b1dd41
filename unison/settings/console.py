"""The operators' console (django-unfold): titles, sidebar and the console's own pages."""

from __future__ import annotations

from django.urls import reverse_lazy

from unison.settings.env import env

# An operator's console session ends after this many minutes without a request (checked server-side).
CONSOLE_IDLE_MINUTES = env.int("CONSOLE_IDLE_MINUTES", default=30)

UNFOLD = {
    "SITE_TITLE": "Unison console",
    "SITE_HEADER": "Unison console",
    "SITE_SUBHEADER": "Operators only",
    "SITE_URL": "/",
    "SHOW_VIEW_ON_SITE": False,
    "ENVIRONMENT": None,
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": True,
        "navigation": [
            {
                "title": "Customers",
                "items": [
                    {"title": "Dashboard", "icon": "dashboard", "link": reverse_lazy("admin:index")},
                    {"title": "Organisations", "icon": "apartment", "link": reverse_lazy("admin:tenants_organization_changelist")},
                    {"title": "Subscriptions", "icon": "credit_card", "link": reverse_lazy("admin:subscriptions_subscription_changelist")},
                    {"title": "Trial requests", "icon": "more_time", "link": reverse_lazy("admin:subscriptions_trialextensionrequest_changelist")},
                    {"title": "Usage", "icon": "monitoring", "link": reverse_lazy("admin:usage")},
                    {"title": "Impersonate", "icon": "person_search", "link": reverse_lazy("admin:impersonate")},
                    {"title": "Audit log", "icon": "history", "link": reverse_lazy("admin:platform_admin_auditentry_changelist")},
                ],
            },
        ],
    },
}
