"""Rules for workspace subdomains (slugs)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
MIN_LENGTH, MAX_LENGTH = 3, 40
RESERVED = frozenset(
    """
    www admin administrator api app apps static media mail email smtp imap pop ftp stripe
    billing pricing signup login logout auth account accounts support help docs status
    blog dashboard public template tenant tenants root system internal dev staging test
    cdn assets files webhook webhooks unison
    """.split()
)


def slug_validate(slug: str) -> str:
    """Return the slug if it is well formed, else raise ValidationError with the reason."""
    if not MIN_LENGTH <= len(slug) <= MAX_LENGTH:
        raise ValidationError(
            f"Use between {MIN_LENGTH} and {MAX_LENGTH} characters.", code="length"
        )
    if not SLUG_RE.match(slug):
        raise ValidationError(
            "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
            code="invalid",
        )
    if "--" in slug:
        raise ValidationError("Use single hyphens between words.", code="invalid")
    if slug in RESERVED:
        raise ValidationError("This subdomain is reserved. Please choose another.", code="reserved")
    return slug


def schema_name_for(slug: str) -> str:
    """Return the PostgreSQL schema name of a slug (hyphens are not allowed in schema names)."""
    return "t_" + slug.replace("-", "_")
