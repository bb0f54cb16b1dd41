"""Where tenant files live: the local MEDIA_ROOT (default) or S3-compatible object storage."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from unison.settings.env import BASE_DIR, env

MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# "filesystem": tenant files under MEDIA_ROOT/<schema_name>/ (django-tenants' storage), one machine.
# "s3": in a bucket under <AWS_LOCATION>/<schema_name>/ (unison.media_storage), shared by every machine;
# credentials from the environment as boto3 reads them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
MEDIA_STORAGE = env("MEDIA_STORAGE", default="filesystem")
if MEDIA_STORAGE == "filesystem":
    _default_storage = {"BACKEND": "unison.media_storage.TenantFileSystemStorage"}
    _workspace_storage = {"BACKEND": "unison.media_storage.WorkspaceFileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    _bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if not _bucket:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _s3_options = {
        "bucket_name": _bucket,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),  # MinIO, Ceph, R2, ...: their URL
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "location": env("AWS_LOCATION", default=""),
        "file_overwrite": False,  # a second upload of the same name gets a name of its own
        "querystring_auth": True,  # links are signed and expire: the bucket stays private
    }
    _default_storage = {"BACKEND": "unison.media_storage.TenantS3Storage", "OPTIONS": _s3_options}
    _workspace_storage = {"BACKEND": "unison.media_storage.WorkspaceS3Storage", "OPTIONS": _s3_options}
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 's3', not {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": _default_storage,
    "workspace": _workspace_storage,  # exports and logos, beside the workspace's files (unison/media_storage.py)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
