"""Writes for organisations: provisioning and one-time login tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Domain, LoginToken, Organization
from tenants.slugs import schema_name_for, slug_validate
from tenants.template import schema_clone

_TOKEN_SALT = "unison.tenants.login-token"
SUBDOMAIN_TAKEN = "This subdomain is taken. Please choose another."


class LoginTokenInvalid(Exception):
    """The login token is forged, expired, already used or for another organisation."""


def organization_validate(*, name: str, slug: str, owner_email: str, owner_password: str) -> None:
    """Raise ValidationError naming every field that is wrong; return nothing when all are fine."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["organization_name"] = ["Enter your company's name."]
    try:
        slug_validate(slug)
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError(SUBDOMAIN_TAKEN, code="taken")
    except ValidationError as exc:
        errors["subdomain"] = exc.messages
    try:
        validate_email(owner_email)
    except ValidationError:
        errors["email"] = ["Enter a valid e-mail address."]
    try:
        validate_password(owner_password)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_provision(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_password: str,
    owner_name: str = "",
    **details: str,
) -> Organization:
    """Create the organisation, its domain, its schema and its owner, all or nothing."""
    owner_email = owner_email.strip().lower()
    organization_validate(name=name, slug=slug, owner_email=owner_email, owner_password=owner_password)
    try:
        organization = Organization.objects.create(
            name=name.strip(), slug=slug, schema_name=schema_name_for(slug), email=owner_email, **details
        )
        Domain.objects.create(domain=organization.host, tenant=organization, is_primary=True)
    except (IntegrityError, ValidationError) as exc:  # a concurrent signup took the slug (or schema) after our check
        raise ValidationError({"subdomain": [SUBDOMAIN_TAKEN]}) from exc
    schema_clone(organization.schema_name)
    with schema_context(organization.schema_name):
        get_user_model().objects.create_user(
            email=owner_email, password=owner_password, full_name=owner_name.strip(), role="owner"
        )
    return organization


def login_token_issue(
    *,
    organization: Organization,
    user_id: int,
    impersonator: str = "",
    reason: str = "",
    session_seconds: int | None = None,
) -> str:
    """Return a single-use URL that signs the user into the organisation's host."""
    now = timezone.now()
    token = LoginToken.objects.create(
        organization=organization,
        user_id=user_id,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.LOGIN_TOKEN_MAX_AGE),
        impersonator=impersonator,
        reason=reason,
        session_seconds=session_seconds,
    )
    signed = signing.dumps({"id": token.pk, "n": secrets.token_urlsafe(8)}, salt=_TOKEN_SALT)
    return f"{organization.url}accounts/token/{signed}/"


def login_token_consume(*, organization: Organization, signed: str) -> LoginToken:
    """Mark the token used and return it; raise LoginTokenInvalid if it cannot be used."""
    try:
        payload = signing.loads(signed, salt=_TOKEN_SALT, max_age=settings.LOGIN_TOKEN_MAX_AGE)
    except signing.BadSignature as exc:
        raise LoginTokenInvalid("This sign-in link is invalid or has expired.") from exc
    now = timezone.now()
    used = LoginToken.objects.filter(
        pk=payload.get("id"), organization=organization, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not used:
        raise LoginTokenInvalid("This sign-in link has already been used or has expired.")
    return LoginToken.objects.get(pk=payload["id"])


@transaction.atomic
def organization_two_factor_set(*, organization: Organization, required: bool) -> Organization:
    """Require (or stop requiring) two-factor sign-in of every user of the organisation; return it."""
    organization.require_two_factor = required
    organization.save(update_fields=["require_two_factor"])
    return organization
