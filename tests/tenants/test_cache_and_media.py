"""Cache keys and uploaded files are kept apart per tenant."""

from __future__ import annotations

from pathlib import Path

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django_tenants.utils import schema_context


def test_the_same_cache_key_holds_a_different_value_in_each_schema(organization, other_organization):
    with schema_context(organization.schema_name):
        cache.set("dashboard:numbers", "a's numbers")
    with schema_context(other_organization.schema_name):
        assert cache.get("dashboard:numbers") is None
        cache.set("dashboard:numbers", "b's numbers")
    with schema_context(organization.schema_name):
        assert cache.get("dashboard:numbers") == "a's numbers"
    with schema_context(other_organization.schema_name):
        assert cache.get("dashboard:numbers") == "b's numbers"
    assert cache.get("dashboard:numbers") is None, "the public schema has its own keys too"


def test_a_file_saved_in_a_tenant_lands_under_its_schema_folder(organization, other_organization, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # A fresh instance of the configured backend: django-tenants' storage caches MEDIA_ROOT once read.
    default_storage = storages.create_storage(settings.STORAGES["default"])
    with schema_context(organization.schema_name):
        name = default_storage.save("drawings/part.txt", ContentFile(b"tenant a"))
        assert default_storage.exists(name)
        url = default_storage.url(name)
    assert (tmp_path / organization.schema_name / name).read_bytes() == b"tenant a"
    assert url == f"/media/{organization.schema_name}/{name}"

    with schema_context(other_organization.schema_name):
        assert not default_storage.exists(name)
        assert default_storage.listdir("drawings") == ([], [])
    assert not (tmp_path / other_organization.schema_name).exists()
    saved = [p.relative_to(tmp_path) for p in Path(tmp_path).rglob("*") if p.is_file()]
    assert saved == [Path(organization.schema_name) / name]
