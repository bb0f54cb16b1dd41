"""A SAML identity provider for the tests: pysaml2's own IdP (``saml2.server.Server``), in this process.

It reads our AuthnRequest from the redirect URL and answers with a response whose assertion it signs
with its key (RSA, a self-signed certificate made here), as a real pysaml2 IdP does. ``signing_key``
"other" signs with a second key that the published metadata does not hold; ``lifetime`` shifts the
assertion's NotOnOrAfter (negative: already expired).
"""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

ENTITY_ID = "https://idp.example.com/saml"
SSO_URL = "https://idp.example.com/saml/sso"


def key_pair(folder: Path, name: str, *, days: int = 365) -> tuple[str, str]:
    """Write a new RSA key and its self-signed certificate under ``folder``; return their paths."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"test idp {name}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_path), str(cert_path)


class IdentityProviderForTests:
    def __init__(self, folder: Path, *sp_metadata: str):
        self.folder, self.sp_metadata = folder, list(sp_metadata)
        self.keys = {"own": key_pair(folder, "own"), "other": key_pair(folder, "other")}

    def _server(self, signing_key: str = "own", lifetime: dict | None = None) -> Server:
        key_file, cert_file = self.keys[signing_key]
        config = IdPConfig()
        config.load(
            {
                "entityid": ENTITY_ID,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": key_file,
                "cert_file": cert_file,
                "metadata": {"inline": self.sp_metadata},
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)]},
                        "policy": {
                            "default": {
                                "lifetime": lifetime or {"minutes": 15},
                                "attribute_restrictions": None,
                                "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    }
                },
            }
        )
        return Server(config=config)

    def metadata(self) -> str:
        """Return the IdP's metadata as an owner would upload it (its own signing certificate in it)."""
        return str(entity_descriptor(self._server().config))

    def parse_request(self, login_url: str, server: Server | None = None):
        """Return the AuthnRequest our redirect to the IdP carries."""
        query = parse_qs(urlparse(login_url).query)
        return (server or self._server()).parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT).message

    def respond(
        self,
        login_url: str,
        *,
        email: str,
        groups=("staff",),
        signing_key: str = "own",
        lifetime: dict | None = None,
        in_response_to: str | None = None,
    ) -> str:
        """Answer the AuthnRequest in ``login_url`` (our redirect to the IdP); return the base64 SAMLResponse."""
        server = self._server(signing_key, lifetime)
        request = self.parse_request(login_url, server)
        identity = {"mail": [email], "displayName": ["Sam Saml"], "groups": list(groups)}
        response = server.create_authn_response(
            identity,
            in_response_to=in_response_to or request.id,
            destination=request.assertion_consumer_service_url,
            sp_entity_id=request.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            sign_assertion=True,
            sign_response=False,
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
        )
        return base64.b64encode(str(response).encode()).decode()


__all__ = ["BINDING_HTTP_POST", "ENTITY_ID", "IdentityProviderForTests"]
