from django.apps import AppConfig


class DeletionConfig(AppConfig):
    name = "deletion"
    default_auto_field = "django.db.models.BigAutoField"
