"""SAML 2.0 sign-in against pysaml2's IdP: the flow, and each bad answer refused with a page and an audit entry."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from platform_admin.models import AuditEntry
from sso.models import IdentityProvider, UsedAssertion
from tests.conftest import client_for
from tests.shopfloor.conftest import plan_set
from tests.sso.saml_idp import ENTITY_ID, IdentityProviderForTests

pytestmark = pytest.mark.django_db(transaction=True)


def sp_metadata(organization) -> str:
    metadata = client_for(organization).get("/sso/saml/metadata/")
    assert metadata.status_code == 200 and b"AssertionConsumerService" in metadata.content
    assert organization.host.encode() in metadata.content  # this workspace's own entity id and ACS
    connection.set_schema_to_public()
    return metadata.content.decode()


@pytest.fixture
def idp(enterprise, other_organization, tmp_path):
    """One IdP that knows two workspaces (the second one is the outsider's)."""
    plan_set(other_organization, "enterprise")
    return IdentityProviderForTests(tmp_path, sp_metadata(enterprise), sp_metadata(other_organization))


def upload(xml: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("idp.xml", xml.encode(), content_type="text/xml")


@pytest.fixture
def saml_workspace(enterprise, owner, idp):
    response = client_for(enterprise, owner).post(
        "/settings/sso/",
        {
            "protocol": "saml",
            "enabled": "on",
            "idp_metadata_file": upload(idp.metadata()),
            "role_claim": "groups",
            "role_mapping": "plant-admins = admin",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    connection.set_schema_to_public()
    return enterprise


def start(client: Client) -> str:
    response = client.get("/sso/start/?next=/plants/")
    assert response.status_code == 302 and response.url.startswith("https://idp.example.com/saml/sso?"), response
    return response.url


def _failures(organization) -> list[str]:
    entries = AuditEntry.objects.filter(organization_id=organization.pk, action="sso_sign_in_failed").order_by("id")
    return [e.details["reason"] for e in entries]


def test_the_metadata_is_read_at_save_and_a_person_signs_in_with_the_mapped_role(saml_workspace, idp):
    with schema_context(saml_workspace.schema_name):
        row = IdentityProvider.objects.get()
    assert (row.idp_entity_id, row.idp_sso_url) == (ENTITY_ID, "https://idp.example.com/saml/sso")
    client = client_for(saml_workspace)
    answer = idp.respond(start(client), email="Kim@IdP.example.com", groups=["plant-admins"])
    response = client.post("/sso/saml/acs/", {"SAMLResponse": answer})
    assert response.status_code == 302 and response.url == "/plants/", response.content.decode()[:2000]
    with schema_context(saml_workspace.schema_name):
        user = User.objects.get(email="kim@idp.example.com")
        assert (user.role, user.full_name) == ("admin", "Sam Saml")
        assert UsedAssertion.objects.count() == 1
    assert client.get("/plants/").status_code == 200
    assert (
        AuditEntry.objects.filter(
            organization_id=saml_workspace.pk, action="sso_sign_in", details__protocol="saml"
        ).count()
        == 1
    )


def test_a_replayed_response_is_refused(saml_workspace, idp):
    client = client_for(saml_workspace)
    answer = idp.respond(start(client), email="kim@idp.example.com")
    assert client.post("/sso/saml/acs/", {"SAMLResponse": answer}).status_code == 302
    again = client.post("/sso/saml/acs/", {"SAMLResponse": answer})
    assert again.status_code == 403 and "already used to sign in (a replay)" in again.content.decode()
    elsewhere = client_for(saml_workspace).post("/sso/saml/acs/", {"SAMLResponse": answer})  # another browser
    assert elsewhere.status_code == 403 and "(a replay)" in elsewhere.content.decode()
    assert _failures(saml_workspace) == ["replayed", "replayed"]


def test_a_response_to_no_request_of_ours_is_refused(saml_workspace, idp):
    client = client_for(saml_workspace)
    answer = idp.respond(start(client), email="kim@idp.example.com", in_response_to="id-never-asked")
    response = client.post("/sso/saml/acs/", {"SAMLResponse": answer})
    assert response.status_code == 403 and "answers no sign-in request of this workspace" in response.content.decode()
    assert _failures(saml_workspace) == ["unsolicited"]


def test_a_response_signed_with_another_certificate_is_refused(saml_workspace, idp):
    client = client_for(saml_workspace)
    answer = idp.respond(start(client), email="kim@idp.example.com", signing_key="other")
    response = client.post("/sso/saml/acs/", {"SAMLResponse": answer})
    assert response.status_code == 403 and "not signed with the identity provider" in response.content.decode()
    assert _failures(saml_workspace) == ["bad_signature"]
    with schema_context(saml_workspace.schema_name):
        assert not User.objects.filter(email="kim@idp.example.com").exists()


def test_an_expired_assertion_is_refused(saml_workspace, idp):
    client = client_for(saml_workspace)
    answer = idp.respond(start(client), email="kim@idp.example.com", lifetime={"minutes": -20})
    response = client.post("/sso/saml/acs/", {"SAMLResponse": answer})
    assert response.status_code == 403 and "has expired" in response.content.decode()
    assert _failures(saml_workspace) == ["expired"]


def test_garbage_or_no_response_is_refused_not_a_500(saml_workspace):
    client = client_for(saml_workspace)
    start(client)
    for body in ({"SAMLResponse": "bm90IHhtbA=="}, {"SAMLResponse": "%%%"}, {}):
        response = client.post("/sso/saml/acs/", body)
        assert response.status_code == 403, response.content.decode()[:500]
    assert len(_failures(saml_workspace)) == 3


def test_bad_metadata_is_refused_next_to_the_field(enterprise, owner, idp):
    client = client_for(enterprise, owner)
    cases = [
        ("<not xml", "not well-formed XML"),
        ("<EntityDescriptor xmlns='urn:oasis:names:tc:SAML:2.0:metadata' entityID='x'/>", "no SAML identity provider"),
        (idp.metadata().replace("MII", "@@@", 1), "cannot be read"),
    ]
    for xml, words in cases:
        response = client.post(
            "/settings/sso/", {"protocol": "saml", "enabled": "on", "idp_metadata_file": upload(xml)}
        )
        assert response.status_code == 400 and words in response.content.decode(), words
    response = client.post(
        "/settings/sso/", {"protocol": "saml", "enabled": "on", "idp_metadata_url": "http://127.0.0.1:9/metadata"}
    )
    assert response.status_code == 400 and "Could not fetch the metadata" in response.content.decode()
    with schema_context(enterprise.schema_name):
        assert not IdentityProvider.objects.exists()


def test_test_connection_names_what_the_metadata_holds(saml_workspace, owner):
    response = client_for(saml_workspace, owner).post("/settings/sso/", {"test": "1"})
    assert f"Connection works. Metadata read: identity provider {ENTITY_ID}" in response.content.decode()


def test_a_response_for_one_workspace_does_not_sign_in_to_another(saml_workspace, other_organization, outsider, idp):
    assert (
        client_for(other_organization, outsider)
        .post("/settings/sso/", {"protocol": "saml", "enabled": "on", "idp_metadata_file": upload(idp.metadata())})
        .status_code
        == 302
    )
    connection.set_schema_to_public()
    client_a, client_b = client_for(saml_workspace), client_for(other_organization)
    login_a, login_b = start(client_a), start(client_b)
    request_b = idp.parse_request(login_b)
    # Made for workspace A (audience, destination) but answering B's pending request: B refuses it.
    answer = idp.respond(login_a, email="kim@idp.example.com", in_response_to=request_b.id)
    response = client_b.post("/sso/saml/acs/", {"SAMLResponse": answer})
    assert response.status_code == 403, response.content.decode()[:500]
    assert "is addressed to" in response.content.decode()
    assert _failures(other_organization) == ["wrong_destination"]
    # And B's owner does not see A's provider settings on B's page.
    page = client_for(other_organization, outsider).get("/settings/sso/").content.decode()
    assert saml_workspace.host not in page
    with schema_context(other_organization.schema_name):
        assert not User.objects.filter(email="kim@idp.example.com").exists()
