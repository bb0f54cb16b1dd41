"""An Enterprise workspace, its own media folder, and images drawn with Pillow (no files in the repo)."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from tests.shopfloor.conftest import plan_set


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep logo files in this test's own folder; start with no cached look."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    yield tmp_path / "media"
    cache.clear()


@pytest.fixture
def enterprise(organization):
    plan_set(organization, "enterprise")
    return organization


def image_bytes(size=(240, 80), fmt: str = "PNG", colour=(31, 86, 224), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def put_logo(client, data: bytes, **headers):
    """PUT ``data`` as the ``logo`` field of a multipart body (Django's client encodes only POST bodies itself)."""
    body = encode_multipart(BOUNDARY, {"logo": upload(data)})
    return client.put("/api/v1/branding/logo", body, content_type=MULTIPART_CONTENT, **headers)


def upload(data: bytes, name: str = "logo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
