"""Tenant files on S3-compatible storage (MEDIA_STORAGE=s3): each workspace under its own prefix.

The bucket is served by moto's S3 server, a real HTTP server on 127.0.0.1 (no S3 is reachable from
the tests); django-storages and boto3 talk to it as they would to S3, MinIO or any other.
"""

from __future__ import annotations

import boto3
import pytest
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django_tenants.utils import schema_context
from moto.server import ThreadedMotoServer

from tests.lifecycle.conftest import free_port
from tests.tenants.test_deploy_settings import manage

BUCKET = "unison-media"


@pytest.fixture
def bucket(monkeypatch):
    """Run moto's S3 server with an empty bucket; return its endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def s3_storage(endpoint: str):
    return storages.create_storage({"BACKEND": "unison.media_storage.TenantS3Storage", "OPTIONS": {
        "bucket_name": BUCKET, "endpoint_url": endpoint, "file_overwrite": False, "querystring_auth": True}})


def test_a_file_saved_in_a_tenant_is_stored_under_its_schema_and_only_it_reads_it(
        bucket, organization, other_organization):
    storage = s3_storage(bucket)
    with schema_context(organization.schema_name):
        name = storage.save("drawings/part.txt", ContentFile(b"tenant a"))
        assert storage.open(name).read() == b"tenant a"
        assert f"/{BUCKET}/{organization.schema_name}/drawings/part.txt?" in storage.url(name)  # signed

    keys = [item["Key"] for item in boto3.client("s3", endpoint_url=bucket).list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"{organization.schema_name}/{name}"]
    with schema_context(other_organization.schema_name):
        assert not storage.exists(name)
        assert storage.listdir("drawings") == ([], [])
        with pytest.raises(SuspiciousOperation):
            storage.open(f"../{organization.schema_name}/{name}")


def test_a_second_file_of_the_same_name_gets_a_name_of_its_own(bucket, organization):
    storage = s3_storage(bucket)
    with schema_context(organization.schema_name):
        first = storage.save("report.pdf", ContentFile(b"one"))
        second = storage.save("report.pdf", ContentFile(b"two"))
        assert first != second and storage.open(first).read() == b"one"


def test_s3_storage_without_a_bucket_is_a_loud_error():
    result = manage("check", MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="")
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME." in result.stderr


def test_s3_storage_is_chosen_by_the_environment():
    result = manage("shell", "-c", "from django.conf import settings; print(settings.STORAGES['default'])",
                    MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="media-bucket", AWS_S3_ENDPOINT_URL="http://minio:9000")
    assert result.returncode == 0, result.stderr
    assert "unison.media_storage.TenantS3Storage" in result.stdout and "'bucket_name': 'media-bucket'" in result.stdout
    assert "'endpoint_url': 'http://minio:9000'" in result.stdout


@pytest.fixture
def s3_media(bucket, settings, tmp_path):
    """Configure both stores on the bucket, as MEDIA_STORAGE=s3 does, and a MEDIA_ROOT that must stay empty."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    options = {"bucket_name": BUCKET, "endpoint_url": bucket, "file_overwrite": False, "querystring_auth": True}
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "unison.media_storage.TenantS3Storage", "OPTIONS": options},
                         "workspace": {"BACKEND": "unison.media_storage.WorkspaceS3Storage", "OPTIONS": options}}
    yield boto3.client("s3", endpoint_url=bucket)
    assert not (tmp_path / "media").exists(), "a file was written to the local disk"


def bucket_keys(client) -> dict[str, int]:
    return {item["Key"]: item["Size"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_exports_and_logos_are_kept_in_the_bucket_and_read_back_from_it(s3_media, organization, owner):
    from django.conf import settings

    from branding import logos, selectors
    from branding import services as branding_services
    from exports import services as export_services
    from exports.models import Export
    from tests.branding.conftest import image_bytes, upload

    schema = organization.schema_name
    with schema_context(schema):
        export = export_services.export_build(export_id=Export.objects.create(requested_by=owner).pk)
        branding_services.branding_logo_set(organization=organization, upload=upload(image_bytes()),
                                            actor_email=owner.email)
        logo_name = selectors.branding_look().logo_name
    keys = bucket_keys(s3_media)
    assert export.status == "done" and keys[f"tenants/{schema}/exports/{export.uuid}.zip"] == export.size_bytes > 0
    assert f"tenants/{schema}/branding/{logo_name}" in keys

    # Another process (a store object of its own, nothing cached) reads what this one wrote.
    fresh = storages.create_storage(settings.STORAGES["workspace"])
    with schema_context(schema):
        _export, file = export_services.export_download(organization=organization, user=owner, export_id=export.pk)
        assert file.read()[:2] == b"PK"
        assert fresh.open(f"{schema}/exports/{export.uuid}.zip").read()[:2] == b"PK"
        assert logos.logo_open(logo_name).read()[:8] == b"\x89PNG\r\n\x1a\n"
        assert logos.logo_open(f"../{logo_name}") is None


def test_storage_used_counts_the_workspaces_own_files_in_the_bucket_only(
        s3_media, organization, other_organization, owner):
    from django.core.files.storage import default_storage

    from exports import services as export_services
    from exports.models import Export
    from subscriptions.usage import storage_bytes_used

    with schema_context(organization.schema_name):
        default_storage.save("drawings/a.bin", ContentFile(b"a" * 700))
        default_storage.save("drawings/deep/b.bin", ContentFile(b"b" * 300))
        export_services.export_build(export_id=Export.objects.create(requested_by=owner).pk)  # not counted
    with schema_context(other_organization.schema_name):
        default_storage.save("drawings/c.bin", ContentFile(b"c" * 5000))
    assert any(key.startswith("tenants/") for key in bucket_keys(s3_media))
    assert storage_bytes_used(organization) == 1000
    assert storage_bytes_used(other_organization) == 5000

