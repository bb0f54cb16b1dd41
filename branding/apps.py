from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "branding"
    verbose_name = "White labelling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from branding.selectors import email_look_for
        from notifications.look import email_look_register

        email_look_register(email_look_for)
