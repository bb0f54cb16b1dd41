from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.sign_in_rules import page_context_register, password_refusal_register
        from sso.selectors import password_refusal, sign_in_page_context

        password_refusal_register(password_refusal)
        page_context_register(sign_in_page_context)
