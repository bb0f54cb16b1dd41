from django.apps import AppConfig


class PlatformAdminConfig(AppConfig):
    name = "platform_admin"
    default_auto_field = "django.db.models.BigAutoField"
