"""E-mail from EMAIL_URL; development prints mail to the console."""

from __future__ import annotations

from unison.settings.env import env

# EMAIL_URL picks the backend:
#   smtp://user:password@host:587, smtps://..., smtp+tls://...   SMTP (django-environ)
#   consolemail://   filemail:///var/tmp/mail   memorymail://      development and tests
#   anymail+<esp>://<api key>@?<setting>=<value>                   an ESP through django-anymail, e.g.
#       anymail+mailgun://key-123@?sender_domain=mg.example.com  -> ANYMAIL["MAILGUN_API_KEY"], ["MAILGUN_SENDER_DOMAIN"]
#       anymail+postmark://?server_token=abc                     -> ANYMAIL["POSTMARK_SERVER_TOKEN"]
_EMAIL_URL = env("EMAIL_URL", default="consolemail://")
if _EMAIL_URL.startswith("anymail+"):
    import importlib.util
    from urllib.parse import parse_qsl, unquote, urlsplit

    from django.core.exceptions import ImproperlyConfigured

    _url = urlsplit(_EMAIL_URL)
    _esp = _url.scheme.removeprefix("anymail+")
    if not _esp.isidentifier() or importlib.util.find_spec(f"anymail.backends.{_esp}") is None:
        raise ImproperlyConfigured(f"EMAIL_URL names an unknown django-anymail ESP {_esp!r}.")
    EMAIL_BACKEND = f"anymail.backends.{_esp}.EmailBackend"
    ANYMAIL = {f"{_esp.upper()}_{key.upper()}": value for key, value in parse_qsl(_url.query)}
    if _url.username:
        ANYMAIL[f"{_esp.upper()}_API_KEY"] = unquote(_url.username)
else:
    vars().update(env.email_url_config(_EMAIL_URL))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Unison <hello@unison.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
