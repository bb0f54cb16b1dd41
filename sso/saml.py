"""SAML 2.0 sign-in on pysaml2: SP-initiated login, the ACS's checks, replay protection, and IdP metadata.

pysaml2 checks the response's signature against the certificate in the saved IdP metadata (through
Debian's xmlsec1), the audience (our entity id), NotBefore / NotOnOrAfter, the destination, and that
InResponseTo names a request this workspace made in the last 10 minutes. We add the replay check: an assertion id signs in
once (``UsedAssertion``, kept until the assertion expires).
"""

from __future__ import annotations

import base64
import shutil
import time
from datetime import UTC, datetime, timedelta

import requests
from cryptography import x509
from defusedxml import ElementTree
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.response import IncorrectlySigned, StatusError, UnsolicitedResponse, VerificationError
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS
from saml2.sigver import SigverError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from sso.errors import ProviderUnreachable, SsoRefused
from sso.models import IdentityProvider, UsedAssertion

FLOW_SECONDS = 600
MAX_METADATA_BYTES = 1_000_000
NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}
SAML_NS = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
EMAIL_ATTRIBUTES = ("email", "mail", "emailAddress")
NAME_ATTRIBUTES = ("displayName", "name", "cn", "givenName")


def _field_error(message: str) -> SsoRefused:
    return SsoRefused(message, field="idp_metadata_url", status=400, code="invalid")


def metadata_read(*, url: str = "", upload=None) -> str | None:
    """Return the IdP metadata XML uploaded (first) or fetched from ``url``; None when neither is given."""
    if upload is not None:
        data = upload.read(MAX_METADATA_BYTES + 1)
        if len(data) > MAX_METADATA_BYTES:
            raise SsoRefused("The metadata file is over 1 MB.", field="idp_metadata_file", status=400, code="invalid")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise SsoRefused(
                "The metadata file is not UTF-8 XML.", field="idp_metadata_file", status=400, code="invalid"
            ) from None
    if not url:
        return None
    try:
        response = requests.get(url, timeout=5)
    except requests.RequestException as exc:
        raise _field_error(f"Could not fetch the metadata from {url}: {type(exc).__name__}.") from None
    if response.status_code != 200:
        raise _field_error(f"The metadata URL answered HTTP {response.status_code}.")
    if len(response.content) > MAX_METADATA_BYTES:
        raise _field_error("The metadata at that URL is over 1 MB.")
    return response.text


def certificate_check(text: str) -> x509.Certificate:
    """Return the certificate of base64 DER (as metadata holds it) or PEM; refuse an unreadable or expired one."""
    body = "".join(line for line in text.strip().splitlines() if "-----" not in line)
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode("".join(body.split()), validate=True))
    except ValueError:
        raise _field_error("The identity provider's certificate in the metadata cannot be read.") from None
    if cert.not_valid_after_utc < datetime.now(UTC):
        raise _field_error(f"The identity provider's certificate expired on {cert.not_valid_after_utc:%d %b %Y}.")
    return cert


def metadata_fields(xml: str) -> dict[str, str]:
    """Return the IdP's entity id, sign-in URL and signing certificate read from its metadata, and the XML."""
    try:
        root = ElementTree.fromstring(xml.encode())
    except Exception:  # defusedxml's refusals and expat's errors alike
        raise _field_error("The metadata is not well-formed XML.") from None
    entity = root if root.tag == f"{{{NS['md']}}}EntityDescriptor" else root.find("md:EntityDescriptor", NS)
    idp = entity.find("md:IDPSSODescriptor", NS) if entity is not None else None
    if idp is None:
        raise _field_error("The metadata describes no SAML identity provider (no IDPSSODescriptor).")
    services = [s for s in idp.findall("md:SingleSignOnService", NS) if s.get("Binding") == BINDING_HTTP_REDIRECT]
    if not services or not services[0].get("Location"):
        raise _field_error("The identity provider offers no sign-in over HTTP-Redirect (SingleSignOnService).")
    keys = [k for k in idp.findall("md:KeyDescriptor", NS) if k.get("use") in (None, "signing")]
    cert = keys[0].find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS) if keys else None
    if cert is None or not (cert.text or "").strip():
        raise _field_error("The metadata holds no signing certificate of the identity provider.")
    certificate_check(cert.text)
    return {
        "idp_metadata_xml": xml,
        "idp_entity_id": entity.get("entityID", ""),
        "idp_sso_url": services[0].get("Location"),
        "idp_cert": "".join(cert.text.split()),
    }


def _config(urls: dict, provider: IdentityProvider | None = None) -> SPConfig:
    binary = shutil.which("xmlsec1")
    if binary is None:
        raise ProviderUnreachable("This server cannot check SAML signatures: Debian's xmlsec1 is not installed.")
    spec = {
        "entityid": urls["entity_id"],
        "xmlsec_binary": binary,
        "accepted_time_diff": 30,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(urls["acs"], BINDING_HTTP_POST)]},
                "allow_unsolicited": False,
                "authn_requests_signed": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "name_id_format": NAMEID_FORMAT_EMAILADDRESS,
            }
        },
    }
    if provider is not None:
        spec["metadata"] = {"inline": [provider.idp_metadata_xml]}
    config = SPConfig()
    try:
        config.load(spec)
    except Exception as exc:
        raise ProviderUnreachable(f"The saved SAML metadata cannot be used: {exc}") from None
    return config


def sp_metadata(urls: dict) -> str:
    """Return our service provider's metadata XML (entity id and ACS of this workspace's host)."""
    return str(entity_descriptor(_config(urls)))


def login_url(request, provider: IdentityProvider, *, urls: dict, next_url: str) -> str:
    """Return the IdP's sign-in URL with our AuthnRequest; remember the request id for 10 minutes."""
    client = Saml2Client(config=_config(urls, provider))
    try:
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.idp_entity_id, binding=BINDING_HTTP_REDIRECT
        )
    except Exception as exc:
        raise ProviderUnreachable(f"Could not make a sign-in request for the saved identity provider: {exc}") from None
    cache.set(_pending_key(request_id), next_url or "/", FLOW_SECONDS)
    return dict(info["headers"])["Location"]


def _pending_key(request_id: str) -> str:
    # Kept server-side, not in the session: the IdP's POST is cross-site, so the (SameSite=Lax) session
    # cookie does not come with it. The schema in the key keeps one workspace's requests from another's.
    return f"sso:saml:request:{connection.schema_name}:{request_id}"


def _pending(text: str) -> dict[str, str]:
    """Return {request id: next URL} for the request the response says it answers, if we made it here."""
    try:
        request_id = ElementTree.fromstring(base64.b64decode(text)).get("InResponseTo") or ""
    except Exception:
        return {}
    next_url = cache.get(_pending_key(request_id[:200])) if request_id else None
    return {request_id: next_url} if next_url else {}


def _parsed(client: Saml2Client, text: str, outstanding: dict):
    try:
        response = client.parse_authn_request_response(text, BINDING_HTTP_POST, outstanding=outstanding)
    except (IncorrectlySigned, SigverError):
        raise SsoRefused(
            "The SAML response is not signed with the identity provider's certificate in the saved "
            "metadata (wrong certificate, or the response was altered).",
            code="bad_signature",
        ) from None
    except ResponseLifetimeExceed:
        raise SsoRefused(
            "The SAML assertion has expired (NotOnOrAfter is past); sign in again.", code="expired"
        ) from None
    except ToEarly:
        raise SsoRefused(
            "The SAML assertion is not valid yet (NotBefore); check the clocks.", code="not_yet_valid"
        ) from None
    except UnsolicitedResponse:
        raise SsoRefused(
            "This SAML response answers no sign-in request of this workspace from the last 10 minutes "
            "(InResponseTo). Start again with “Sign in with SSO”.",
            code="unsolicited",
        ) from None
    except StatusError as exc:
        raise SsoRefused(f"The identity provider refused the sign-in: {exc}", code="provider_error") from None
    except VerificationError:  # pysaml2 says only "Condition not OK": name which one
        raise _diagnosis(text, client) or SsoRefused(
            "The SAML assertion's conditions are not met.", code="conditions"
        ) from None
    except Exception as exc:  # any other unreadable or unverifiable answer is refused, never a 500
        raise _diagnosis(text, client) or SsoRefused(
            f"The SAML response could not be read or verified ({type(exc).__name__}).", code="bad_response"
        ) from None
    if response is None or response.assertion is None:
        raise _diagnosis(text, client) or SsoRefused("The SAML response holds no assertion.", code="bad_response")
    return response


def _diagnosis(text: str, client: Saml2Client) -> SsoRefused | None:
    """Return the refusal naming what of an already refused response is wrong: destination, time or audience."""
    try:
        root = ElementTree.fromstring(base64.b64decode(text))
    except Exception:
        return None
    entity_id, acs = client.config.entityid, client.service_urls(binding=BINDING_HTTP_POST)
    if root.get("Destination") and root.get("Destination") not in acs:
        return SsoRefused(
            f"The SAML response is addressed to {root.get('Destination')}, not to this workspace.",
            code="wrong_destination",
        )
    conditions = root.find(".//saml:Conditions", SAML_NS)
    if conditions is not None:
        now = datetime.now(UTC)
        ends, starts = conditions.get("NotOnOrAfter"), conditions.get("NotBefore")
        if ends and datetime.fromisoformat(ends.replace("Z", "+00:00")) <= now:
            return SsoRefused("The SAML assertion has expired (NotOnOrAfter is past); sign in again.", code="expired")
        if starts and datetime.fromisoformat(starts.replace("Z", "+00:00")) > now:
            return SsoRefused(
                "The SAML assertion is not valid yet (NotBefore); check the clocks.", code="not_yet_valid"
            )
        audiences = [a.text for a in conditions.findall(".//saml:Audience", SAML_NS)]
        if audiences and entity_id not in audiences:
            return SsoRefused(
                f"The SAML assertion is meant for {', '.join(audiences)}, not this workspace ({entity_id}).",
                code="wrong_audience",
            )
    return None


@transaction.atomic
def assertion_use(assertion_id: str, expires_at: datetime) -> None:
    """Record that the assertion signed someone in; refuse it if it already did (a replay)."""
    UsedAssertion.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(assertion_id=assertion_id[:255], expires_at=expires_at)
    except IntegrityError:
        raise SsoRefused(
            "This SAML response was already used to sign in (a replay), so it is refused. "
            "Start again with “Sign in with SSO”.",
            code="replayed",
        ) from None


def identity(request, provider: IdentityProvider, *, urls: dict) -> tuple[str, str, dict, str]:
    """Return (e-mail, name, attributes, next URL) from a verified, unused SAML response."""
    text = request.POST.get("SAMLResponse", "")
    if not text:
        raise SsoRefused("The identity provider posted no SAMLResponse.", code="bad_response")
    outstanding = _pending(text)
    response = _parsed(Saml2Client(config=_config(urls, provider)), text, outstanding)
    lifetime = response.not_on_or_after or (time.time() + 3600)
    assertion_use(response.assertion.id, datetime.fromtimestamp(lifetime, UTC) + timedelta(minutes=5))
    attributes = response.ava or {}
    name_id = getattr(response.name_id, "text", "") or ""
    email = next((attributes[a][0] for a in EMAIL_ATTRIBUTES if attributes.get(a)), name_id)
    name = next((attributes[a][0] for a in NAME_ATTRIBUTES if attributes.get(a)), "")
    return str(email), str(name), attributes, outstanding.get(response.in_response_to, "/")


def connection_test(row: IdentityProvider, *, urls: dict) -> str:
    """Return what was read from the provider's metadata (fetched again when it has a URL); raise SsoRefused."""
    xml = metadata_read(url=row.idp_metadata_url) if row.idp_metadata_url else row.idp_metadata_xml
    if not xml:
        raise SsoRefused("No SAML metadata is saved yet.")
    fields = metadata_fields(xml)
    _config(urls, IdentityProvider(idp_metadata_xml=xml))
    cert = certificate_check(fields["idp_cert"])
    return (
        f"Metadata read: identity provider {fields['idp_entity_id']}, sign-in at {fields['idp_sso_url']}, "
        f"certificate valid until {cert.not_valid_after_utc:%d %b %Y}."
    )
