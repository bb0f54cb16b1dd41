from django.apps import AppConfig


class ShopfloorConfig(AppConfig):
    name = "shopfloor"
    default_auto_field = "django.db.models.BigAutoField"
