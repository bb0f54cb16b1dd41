"""Writes of custom domains: claim a host, verify it (then the workspace is served there), remove it; audited."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from domains.hosts import host_clean
from domains.models import CustomDomain, Status
from domains.resolvers import LookupFailed, txt_records
from platform_admin.services import audit_record
from tenants.models import Domain, Organization
from unison.errors import ApplicationError

TAKEN_MESSAGE = "Another workspace already uses this host. If it is yours, ask our support team to move it."


class HostTaken(ApplicationError):
    """The host is served by another workspace (a 409 naming ``host``)."""

    code = "host_taken"
    status = 409

    def __init__(self):
        super().__init__(TAKEN_MESSAGE, field="host")


def _taken_elsewhere(*, organization: Organization, host: str) -> Organization | None:
    domain = Domain.objects.select_related("tenant").filter(domain=host).exclude(tenant=organization).first()
    return domain.tenant if domain is not None else None


def _audit(*, organization, action: str, actor_email: str, target, details: dict) -> None:
    audit_record(
        actor=None,
        actor_email=actor_email,
        action=action,
        target=target,
        organization_id=organization.pk,
        details=details,
    )


def _refuse_taken(*, organization, host: str, holder: Organization, actor_email: str, row=None) -> HostTaken:
    """Audit the attempt on a host another workspace holds (committed even though the change is refused)."""
    _audit(
        organization=organization,
        action="custom_domain_refused",
        actor_email=actor_email,
        target=row or organization,
        details={"host": host, "reason": "host_taken", "held_by": holder.pk},
    )
    return HostTaken()


def _locked(*, organization, domain_id: int) -> CustomDomain:
    row = CustomDomain.objects.select_for_update().filter(organization=organization, pk=domain_id).first()
    if row is None:
        raise ApplicationError("This workspace has no custom domain with this id.", code="not_found", status=404)
    return row


def custom_domain_add(*, organization: Organization, host: str, actor_email: str) -> CustomDomain:
    """Claim ``host`` for the workspace, pending its TXT record; return the claim.

    Refused: a malformed host or one of ours (``host`` errors), a host another workspace serves (409, audited),
    a host this workspace claimed already, more than ``DOMAINS_PER_WORKSPACE`` hosts.
    """
    host = host_clean(host)
    holder = _taken_elsewhere(organization=organization, host=host)
    if holder is not None:
        raise _refuse_taken(organization=organization, host=host, holder=holder, actor_email=actor_email)
    with transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one claim at a time
        claims = CustomDomain.objects.filter(organization=organization)
        if claims.filter(host=host).exists():
            raise ApplicationError(
                "This workspace has claimed this host already.", field="host", status=409, code="host_claimed"
            )
        if claims.count() >= settings.DOMAINS_PER_WORKSPACE:
            raise ApplicationError(
                f"A workspace has at most {settings.DOMAINS_PER_WORKSPACE} custom domains: remove one first.",
                field="host",
                status=409,
                code="domain_limit",
            )
        row = CustomDomain.objects.create(
            organization=organization, host=host, token=secrets.token_hex(16), created_by=actor_email
        )
        _audit(
            organization=organization,
            action="custom_domain_add",
            actor_email=actor_email,
            target=row,
            details={"host": host},
        )
    return row


def custom_domain_verify(*, organization: Organization, domain_id: int, actor_email: str) -> CustomDomain:
    """Look for the claim's TXT record; when it holds the token, serve the workspace on the host. Return the claim.

    A missing record or a DNS failure leaves the claim ``failed`` with the reason in ``last_error`` (check again
    later). A host another workspace serves by then is a 409, audited. Verifying a verified claim changes nothing.
    """
    with transaction.atomic():
        row = _locked(organization=organization, domain_id=domain_id)
        if row.status == Status.VERIFIED:
            return row
        holder = _taken_elsewhere(organization=organization, host=row.host)
        if holder is not None:  # no look-up: the host is served elsewhere whatever its records say
            row.status, row.last_error, row.last_checked_at = Status.FAILED, TAKEN_MESSAGE, timezone.now()
            row.save(update_fields=["status", "last_error", "last_checked_at"])
    if holder is not None:
        raise _refuse_taken(organization=organization, host=row.host, holder=holder, actor_email=actor_email, row=row)
    try:
        found, error = txt_records(row.record_name), ""
    except LookupFailed as exc:  # the look-up runs outside any transaction: it waits on the network
        found, error = [], str(exc)
    holder = None
    with transaction.atomic():
        row = _locked(organization=organization, domain_id=domain_id)
        if row.status == Status.VERIFIED:
            return row
        row.last_checked_at = timezone.now()
        if not error and row.token not in [value.strip() for value in found]:
            error = (
                f"No TXT record {row.record_name} holds the value shown yet ({len(found)} TXT record"
                f"{'' if len(found) == 1 else 's'} found). DNS changes can take an hour to show."
            )
        if not error:
            holder = _taken_elsewhere(organization=organization, host=row.host)
            if holder is None and not _serve(organization=organization, row=row):
                holder = _taken_elsewhere(organization=organization, host=row.host) or organization
            if holder is not None:
                error = TAKEN_MESSAGE
        row.status = Status.FAILED if error else Status.VERIFIED
        row.last_error = error[:300]
        row.save(update_fields=["status", "last_error", "last_checked_at", "verified_at"])
        if not error:
            _audit(
                organization=organization,
                action="custom_domain_verify",
                actor_email=actor_email,
                target=row,
                details={"host": row.host},
            )
    if holder is not None:
        raise _refuse_taken(organization=organization, host=row.host, holder=holder, actor_email=actor_email, row=row)
    return row


def _serve(*, organization: Organization, row: CustomDomain) -> bool:
    """Add the host to the workspace's domains (the tenant middleware serves it from then); False if taken."""
    try:
        with transaction.atomic():
            Domain.objects.get_or_create(domain=row.host, tenant=organization, defaults={"is_primary": False})
            row.verified_at = timezone.now()
            CustomDomain.objects.filter(pk=row.pk).update(status=Status.VERIFIED, verified_at=row.verified_at)
    except IntegrityError:  # another workspace's verification won the race for the host
        return False
    return True


@transaction.atomic
def custom_domain_remove(*, organization: Organization, domain_id: int, actor_email: str) -> CustomDomain:
    """Stop serving the workspace on the host and drop the claim; return the removed claim."""
    row = _locked(organization=organization, domain_id=domain_id)
    _audit(
        organization=organization,
        action="custom_domain_remove",
        actor_email=actor_email,
        target=row,
        details={"host": row.host, "status": row.status},
    )
    # Each Domain row's delete signal makes every process forget the host (tenants.domain_cache).
    Domain.objects.filter(domain=row.host, tenant=organization, is_primary=False).delete()
    row.delete()
    return row
