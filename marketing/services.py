"""Writes for the signup funnel: a visitor becomes an organisation with a trial, signed in."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from subscriptions.services import organization_create_with_trial
from subscriptions.trial_offers import STANDARD, TrialOffer
from tenants.models import Industry, Organization
from tenants.services import login_token_issue, organization_validate

FULL_NAME_MAX_LENGTH = 150
ORGANIZATION_NAME_MAX_LENGTH = 120


@dataclass(frozen=True)
class Signup:
    organization: Organization
    login_url: str  # single use, on the organisation's host


def subdomain_normalize(subdomain: str) -> str:
    """Return the subdomain as it will be stored: trimmed and lowercase."""
    return subdomain.strip().lower()


def signup_validate(
    *, organization_name: str, subdomain: str, full_name: str, email: str, password: str, industry: str = ""
) -> None:
    """Raise one ValidationError naming every field that is wrong; return nothing when all are fine."""
    errors: dict[str, list[str]] = {}
    try:
        organization_validate(
            name=organization_name,
            slug=subdomain_normalize(subdomain),
            owner_email=email.strip().lower(),
            owner_password=password,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if len(organization_name.strip()) > ORGANIZATION_NAME_MAX_LENGTH:
        errors["organization_name"] = [f"Use at most {ORGANIZATION_NAME_MAX_LENGTH} characters."]
    if not full_name.strip():
        errors["full_name"] = ["Enter your name."]
    elif len(full_name.strip()) > FULL_NAME_MAX_LENGTH:
        errors["full_name"] = [f"Use at most {FULL_NAME_MAX_LENGTH} characters."]
    if industry and industry not in Industry.values:
        errors["industry"] = ["Choose an industry from the list."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def signup_complete(
    *, organization_name: str, subdomain: str, full_name: str, email: str, password: str, industry: str = "",
    trial_offer: TrialOffer = STANDARD,
) -> Signup:
    """Provision the organisation with its trial and return it with a one-time sign-in link for its owner.

    Raise ValidationError keyed by field (organization_name, subdomain, full_name, email,
    password, industry); on any error nothing is created.
    """
    signup_validate(
        organization_name=organization_name,
        subdomain=subdomain,
        full_name=full_name,
        email=email,
        password=password,
        industry=industry,
    )
    organization = organization_create_with_trial(
        name=organization_name,
        slug=subdomain_normalize(subdomain),
        owner_email=email,
        owner_password=password,
        owner_name=full_name,
        industry=industry,
        trial_days=trial_offer.days,
        trial_offer=trial_offer.campaign or ("signed offer" if trial_offer.offered else ""),
    )
    with schema_context(organization.schema_name):
        owner_id = get_user_model().objects.get(email=organization.email).pk
    return Signup(organization=organization, login_url=login_token_issue(organization=organization, user_id=owner_id))
