"""Writes of single sign-on: the provider's settings, and the user an identity provider signs in."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_credentials_revoke
from platform_admin.services import audit_record, sign_in_record
from sso.errors import SsoRefused
from sso.models import IdentityProvider
from sso.sealing import seal
from subscriptions.limits import limit_enforce

MAPPABLE_ROLES = (Role.ADMIN, Role.MEMBER)  # an identity provider never makes an owner
ROLE_RANK = {Role.MEMBER: 1, Role.ADMIN: 2}


def role_mapping_parse(text: str) -> dict[str, str]:
    """Return ``{claim value: role}`` from lines of ``value = role``; refuse an unknown role or a bad line."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        value, sep, role = line.rpartition("=")
        value, role = value.strip(), role.strip().lower()
        if not sep or not value:
            raise SsoRefused(
                f"Line {number}: write each mapping as “claim value = role”.",
                field="role_mapping",
                status=400,
                code="invalid",
            )
        if role not in MAPPABLE_ROLES:
            raise SsoRefused(
                f"Line {number}: “{role}” is not a role SSO can give; use admin or member.",
                field="role_mapping",
                status=400,
                code="invalid",
            )
        mapping[value] = role
    return mapping


@transaction.atomic
def identity_provider_save(*, organization, actor_email: str, client_secret: str = "", **fields) -> IdentityProvider:
    """Save the workspace's provider settings (a blank secret keeps the one saved); audit; return the row."""
    IdentityProvider.objects.get_or_create(pk=1)
    row = IdentityProvider.objects.select_for_update().get(pk=1)
    for name, value in fields.items():
        setattr(row, name, value)
    changed = list(fields)
    if client_secret:
        row.client_secret_sealed = seal(client_secret)
        changed.append("client_secret_sealed")
    row.updated_at, row.updated_by = timezone.now(), actor_email
    row.save(update_fields=[*changed, "updated_at", "updated_by"])
    details = {k: v for k, v in fields.items() if k not in ("idp_metadata_xml", "idp_cert")}
    audit_record(
        actor=None,
        actor_email=actor_email,
        action="sso_settings_update",
        target=organization,
        organization_id=organization.pk,
        details={**details, "client_secret_changed": bool(client_secret), "schema": connection.schema_name},
    )
    return row


def role_from_claims(provider: IdentityProvider, claims: dict) -> str:
    """Return the role the claim maps to (the highest when it holds several values); member when none maps."""
    value = claims.get(provider.role_claim) if provider.role_claim else None
    values = value if isinstance(value, list) else [value]
    roles = [provider.role_mapping.get(str(v)) for v in values if v is not None]
    roles = [r for r in roles if r in MAPPABLE_ROLES]
    return max(roles, key=ROLE_RANK.get) if roles else Role.MEMBER


@transaction.atomic
def sso_user_provision(*, organization, provider: IdentityProvider, email: str, full_name: str, claims: dict) -> User:
    """Return the workspace user the provider vouches for: made on first sign-in, its role kept to the claim.

    The owner keeps the owner role whatever the claim says. A new user must fit the plan's user limit.
    """
    email = (email or "").strip().lower()
    if "@" not in email:
        raise SsoRefused(
            "The identity provider sent no e-mail address for this person; add the email claim "
            "(or NameID as an e-mail address).",
            code="no_email",
        )
    role = role_from_claims(provider, claims)
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        limit_enforce(organization, "add_user")
        return User.objects.create_user(email=email, password=None, full_name=full_name[:150], role=role)
    if not user.is_active:
        raise SsoRefused("This account is switched off in this workspace; ask the owner.", code="inactive")
    if provider.role_claim and user.role != Role.OWNER and user.role != role:
        User.objects.filter(pk=user.pk).update(role=role)
        user = user_credentials_revoke(user=user)  # a role change ends the old sessions and tokens
        user.role = role
    return user


def sso_sign_in_audit(*, request, email: str, user=None, reason: str = "", protocol: str) -> None:
    """Record an SSO sign-in, or a refused one with its reason."""
    details = {"protocol": protocol, "path": request.path[:200]}
    if reason:
        details["reason"] = reason
    sign_in_record(
        action="sso_sign_in_failed" if reason else "sso_sign_in",
        email=email or "",
        user=user,
        organization=getattr(request, "tenant", None),
        details=details,
    )


def identity_provider_configure(
    *,
    organization,
    actor_email: str,
    protocol: str,
    enabled: bool,
    require_sso: bool,
    issuer: str = "",
    client_id: str = "",
    client_secret: str = "",
    idp_metadata_url: str = "",
    idp_metadata_file=None,
    role_claim: str = "",
    role_mapping: str = "",
) -> IdentityProvider:
    """Check the settings form's values and save them; refuse, naming the field, what cannot work."""
    from sso.selectors import identity_provider

    saved = identity_provider()
    fields = {
        "protocol": protocol,
        "enabled": enabled,
        "require_sso": require_sso,
        "role_claim": role_claim.strip(),
        "role_mapping": role_mapping_parse(role_mapping),
    }
    if require_sso and not enabled:
        raise SsoRefused("Turn SSO on before requiring it.", field="require_sso", status=400, code="invalid")
    if protocol == "oidc":
        fields.update(issuer=issuer.rstrip("/"), client_id=client_id.strip())
        if enabled and not fields["issuer"]:
            raise SsoRefused(
                "Give the issuer URL of your OpenID Connect provider.", field="issuer", status=400, code="invalid"
            )
        if enabled and not fields["client_id"]:
            raise SsoRefused("Give the client id the provider issued.", field="client_id", status=400, code="invalid")
        if enabled and not client_secret and not (saved and saved.client_secret_sealed):
            raise SsoRefused(
                "Give the client secret the provider issued.", field="client_secret", status=400, code="invalid"
            )
    else:
        from sso import saml

        xml = saml.metadata_read(url=idp_metadata_url, upload=idp_metadata_file)
        if xml is None and saved and saved.idp_metadata_xml and idp_metadata_url == saved.idp_metadata_url:
            xml = saved.idp_metadata_xml  # nothing new given: keep the metadata saved
        if enabled and not xml:
            raise SsoRefused(
                "Give the identity provider's metadata: a URL or the XML file.",
                field="idp_metadata_url",
                status=400,
                code="invalid",
            )
        if xml:
            fields.update(saml.metadata_fields(xml))
        fields["idp_metadata_url"] = idp_metadata_url
    return identity_provider_save(
        organization=organization, actor_email=actor_email, client_secret=client_secret, **fields
    )
