"""E-mail from EMAIL_URL; development prints mail to the console."""

from __future__ import annotations

from unison.settings.env import env

_email = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(_email)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Unison <hello@unison.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
