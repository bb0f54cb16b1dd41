"""Writes for the public site: the signup funnel (a visitor becomes an organisation with a trial, signed
in) and the workspace finder's e-mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from marketing.seo import PAGES
from notifications.services import address_notice_send
from subscriptions import catalog
from subscriptions.services import organization_create_with_trial
from subscriptions.trial_offers import STANDARD, TrialOffer
from tenants.models import Industry, Organization
from tenants.selectors import organizations_with_user
from tenants.services import login_token_issue, organization_validate

logger = logging.getLogger(__name__)

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
    *, organization_name: str, subdomain: str, full_name: str, email: str, password: str, industry: str = "",
    currency: str = catalog.CURRENCY,
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
    if currency not in catalog.CURRENCIES:
        errors["currency"] = [f"Choose USD, EUR or INR: we don't sell in “{str(currency)[:12]}”."]
    if industry and industry not in Industry.values:
        errors["industry"] = ["Choose an industry from the list."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def signup_complete(
    *, organization_name: str, subdomain: str, full_name: str, email: str, password: str, industry: str = "",
    currency: str = catalog.CURRENCY, trial_offer: TrialOffer = STANDARD,
) -> Signup:
    """Provision the organisation with its trial and return it with a one-time sign-in link for its owner.

    Raise ValidationError keyed by field (organization_name, subdomain, full_name, email,
    password, industry, currency: what its first checkout bills in); on any error nothing is created.
    """
    signup_validate(
        organization_name=organization_name,
        subdomain=subdomain,
        full_name=full_name,
        email=email,
        password=password,
        industry=industry,
        currency=currency,
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
        currency=currency,
    )
    with schema_context(organization.schema_name):
        owner_id = get_user_model().objects.get(email=organization.email).pk
    return Signup(organization=organization, login_url=login_token_issue(organization=organization, user_id=owner_id))


def workspace_list_request(*, email: str) -> None:
    """Queue the e-mail listing ``email``'s workspaces, to go once the current transaction commits.

    The lookup runs in the task, so the visitor's answer takes the same time whether or not the
    address has an account. A broker that is down loses this one e-mail (logged); the visitor can ask again.
    """
    transaction.on_commit(partial(_workspace_list_enqueue, email=email))


def _workspace_list_enqueue(*, email: str) -> None:
    from marketing.tasks import workspace_list_send_task

    try:
        workspace_list_send_task.apply_async(args=[email])
    except Exception:  # noqa: BLE001 - any broker failure: the page has answered already
        logger.warning("Broker unavailable; the workspace list was not sent", exc_info=True)


def workspace_list_send(*, email: str) -> int:
    """E-mail ``email`` the workspaces where it has an account (or that it has none); return how many."""
    workspaces = organizations_with_user(email=email)
    context = {"email": email, "workspaces": workspaces, "find_url": PAGES["workspace_find"].canonical_url,
               "signup_url": PAGES["signup"].canonical_url}
    address_notice_send(kind="workspace_list", recipient=email, context=context)
    return len(workspaces)
