"""White labelling: the settings page and API, logo checks and storage, the look on pages and in e-mails."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from branding.models import Branding
from notifications.emails import message_build
from platform_admin.models import AuditEntry
from tests.branding.conftest import image_bytes, put_logo, upload
from tests.conftest import PASSWORD, client_for, tenant_user
from tests.shopfloor.conftest import plan_set


def _logo_files(media_root: Path, organization) -> list[Path]:
    folder = media_root / "tenants" / organization.schema_name / "branding"
    return sorted(p for p in folder.glob("*") if not p.name.startswith(".")) if folder.exists() else []


def _row(organization) -> Branding | None:
    with schema_context(organization.schema_name):
        return Branding.objects.filter(pk=1).first()


def test_an_owner_sets_logo_colour_and_sender_and_the_app_shows_them(enterprise, owner, media_root):
    client = client_for(enterprise, owner)
    response = client.post("/settings/branding/", {
        "accent_colour": "#0F766E", "email_sender_name": "Acme Quality",
        "logo": upload(image_bytes((600, 150)))})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = _row(enterprise)
    assert (row.accent_colour, row.email_sender_name, row.updated_by) == ("#0f766e", "Acme Quality", owner.email)
    assert (row.logo_width, row.logo_height) == (600, 150)
    [stored] = _logo_files(media_root, enterprise)
    assert stored.name == row.logo_name and stored.read_bytes().startswith(b"\x89PNG")
    page = client.get("/plants/").content.decode()
    assert f'src="/branding/logo/{row.logo_name}"' in page and "--color-accent-600: #0f766e" in page
    served = Client(HTTP_HOST=enterprise.host).get(f"/branding/logo/{row.logo_name}")  # no sign-in: e-mails load it
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == stored.read_bytes()
    assert AuditEntry.objects.filter(organization_id=enterprise.pk, action="branding_update").exists()


def test_a_jpeg_is_stored_as_a_new_png_without_its_metadata(enterprise, owner, media_root):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    data = image_bytes((400, 200), "JPEG", exif=exif)
    assert b"secret description" in data
    response = put_logo(client_for(enterprise, owner), data)
    assert response.status_code == 200, response.content
    [stored] = _logo_files(media_root, enterprise)
    assert stored.read_bytes().startswith(b"\x89PNG") and b"secret description" not in stored.read_bytes()
    assert response.json()["logo_url"] == f"/branding/logo/{stored.name}" and response.json()["applied"] is True


def test_a_big_logo_is_scaled_down_to_fit(enterprise, owner):
    client_for(enterprise, owner).post("/settings/branding/", {"logo": upload(image_bytes((2000, 1000)))})
    row = _row(enterprise)
    assert (row.logo_width, row.logo_height) == (512, 256)


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("data, says", ids=lambda value: value[:20] if isinstance(value, str) else "", argvalues=[
    (SVG, "SVG logos are refused"),
    (b"<svg onload=alert(1)>", "SVG logos are refused"),
    (image_bytes(fmt="GIF"), "GIF file is not accepted"),
    (image_bytes(fmt="BMP"), "BMP file is not accepted"),
    (b"hello, not an image", "not a PNG or JPEG"),
    (b"", "empty"),
    (image_bytes((16, 16)), "each side must be 32 to 4096 px"),
    (image_bytes((5000, 100)), "each side must be 32 to 4096 px"),
    (image_bytes((900, 100)), "at most 8 times wider"),
    (image_bytes((300, 300))[:200], "damaged or incomplete"),
    (b"\x89PNG" + b"\x00" * (1024 * 1024 + 10), "over 1024 KB"),
])
def test_a_bad_logo_is_refused_next_to_the_field_and_nothing_changes(enterprise, owner, media_root, data, says):
    client = client_for(enterprise, owner)
    page = client.post("/settings/branding/", {"accent_colour": "#0f766e", "logo": upload(data)})
    assert page.status_code == 400 and says in page.content.decode()
    assert 'id="field-logo"' in page.content.decode()
    api = put_logo(client, data)
    assert api.status_code == 400 and "logo" in api.json(), api.content
    row = _row(enterprise)
    assert row is None or (row.logo_name == "" and row.accent_colour == "")  # the colour waited for the logo
    assert _logo_files(media_root, enterprise) == []


def test_a_low_contrast_accent_is_refused_with_a_shade_that_passes(enterprise, owner):
    client = client_for(enterprise, owner)
    page = client.post("/settings/branding/", {"accent_colour": "#7fb2ff"})
    assert page.status_code == 400 and "nearest darker shade that passes" in page.content.decode()
    api = client.patch("/api/v1/branding", {"accent_colour": "#7fb2ff"}, content_type="application/json")
    assert api.status_code == 400 and api.json()["accent_colour"] and api.json()["suggestion"].startswith("#")
    assert client.patch("/api/v1/branding", {"accent_colour": "teal"},
                        content_type="application/json").json()["accent_colour"]
    assert _row(enterprise) is None or _row(enterprise).accent_colour == ""


@pytest.mark.parametrize("name", ["Evil <attacker@example.com>", "Acme\r\nBcc: x@example.com", "a@b", "x" * 61])
def test_a_sender_name_that_could_bend_the_from_header_is_refused(enterprise, owner, name):
    response = client_for(enterprise, owner).patch("/api/v1/branding", {"email_sender_name": name},
                                                   content_type="application/json")
    assert response.status_code == 400 and "email_sender_name" in response.json()


def test_unknown_fields_are_refused(enterprise, owner):
    response = client_for(enterprise, owner).patch("/api/v1/branding", {"logo_name": "../../etc/passwd"},
                                                   content_type="application/json")
    assert response.status_code == 400 and response.json()["logo_name"] == ["Unknown field."]


def test_e_mails_carry_the_sender_name_logo_and_accent(enterprise, owner, django_capture_on_commit_callbacks):
    client = client_for(enterprise, owner)
    client.patch("/api/v1/branding", {"accent_colour": "#0f766e", "email_sender_name": "Acme Quality"},
                 content_type="application/json")
    put_logo(client, image_bytes())
    row = _row(enterprise)
    message = message_build(kind="trial_ended", organization=enterprise, context={}, recipients=["o@example.com"])
    html = message.alternatives[0][0]
    assert message.from_email.startswith("Acme Quality <") and message.from_email.endswith(">")
    assert f'src="{enterprise.url.rstrip("/")}/branding/logo/{row.logo_name}"' in html
    assert "background:#0f766e" in html and "#0b4f8a" not in html and "Acme Quality" in message.body
    with django_capture_on_commit_callbacks(execute=True):  # an invitation comes from the same sender
        client.post("/team/", {"emails": "new@example.com", "role": "member"})
    assert mail.outbox and mail.outbox[-1].from_email.startswith("Acme Quality <")


def test_without_white_labelling_pages_and_e_mails_look_like_unisons(enterprise, owner):
    client = client_for(enterprise, owner)
    client.patch("/api/v1/branding", {"accent_colour": "#0f766e", "email_sender_name": "Acme Quality"},
                 content_type="application/json")
    put_logo(client, image_bytes())
    plan_set(enterprise, "professional")
    page = client.get("/plants/").content.decode()
    assert "--color-accent-600" not in page and "/branding/logo/" not in page
    message = message_build(kind="trial_ended", organization=enterprise, context={}, recipients=["o@example.com"])
    assert "Acme Quality" not in message.from_email and "#0b4f8a" in message.alternatives[0][0]
    refused = client.patch("/api/v1/branding", {"accent_colour": "#111111"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["feature"] == "white_labeling"
    assert "White labelling comes with the Enterprise plan" in client.get("/settings/branding/").content.decode()
    assert client.get("/api/v1/branding").json()["applied"] is False


def test_members_read_but_cannot_change_it(enterprise):
    member = client_for(enterprise, tenant_user(enterprise, role="member"))
    assert member.get("/api/v1/branding").status_code == 200
    refused = member.patch("/api/v1/branding", {"email_sender_name": "Me"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "owner_or_admin_only"
    assert member.get("/settings/branding/").status_code == 403


def test_an_admin_with_a_jwt_removes_the_logo_and_its_file_goes(enterprise, owner, media_root,
                                                                 django_capture_on_commit_callbacks):
    put_logo(client_for(enterprise, owner), image_bytes())
    admin = tenant_user(enterprise, role="admin")
    access = Client(HTTP_HOST=enterprise.host).post(
        "/api/v1/auth/token", {"email": admin.email, "password": PASSWORD}, content_type="application/json").json()
    jwt = Client(HTTP_HOST=enterprise.host, HTTP_AUTHORIZATION=f"Bearer {access['access']}")
    with django_capture_on_commit_callbacks(execute=True):
        response = jwt.delete("/api/v1/branding/logo")
    assert response.status_code == 200 and response.json()["logo_url"] == ""
    assert _logo_files(media_root, enterprise) == []


def test_a_workspaces_logo_is_not_served_on_another_workspaces_host(enterprise, owner, other_organization):
    plan_set(other_organization, "enterprise")
    put_logo(client_for(enterprise, owner), image_bytes())
    name = _row(enterprise).logo_name
    assert Client(HTTP_HOST=enterprise.host).get(f"/branding/logo/{name}").status_code == 200
    assert Client(HTTP_HOST=other_organization.host).get(f"/branding/logo/{name}").status_code == 404
    assert Client(HTTP_HOST=enterprise.host).get("/branding/logo/..%2F..%2Fsecret").status_code == 404
