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
