"""Where media files live: the local folder (default) or an S3-API bucket.

Read once by config/settings.py into ``STORAGES["default"]``; every value is
checked here so a half-configured bucket stops start-up with a sentence
rather than failing on the first photo a resident sends.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_choice, env_int, env_str

# S3's own rule for new buckets: 3-63 lowercase letters, digits, dots, hyphens.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
_HTTP_URL = re.compile(r"https?://[^\s/?#]+(/[^\s?#]*)?")
# SigV4 presigned URLs live at most 7 days.
_MAX_SIGNED_SECONDS = 7 * 24 * 3600
# Bounds of the client's waits (seconds) and tries: past them a bucket call
# outlives gunicorn's 30 s worker timeout (docker/entrypoint.sh sets none) and
# the resident meets a 502 instead of the 503 that says what to do.
_MAX_CONNECT_SECONDS = 10
_MAX_READ_SECONDS = 60
_MAX_ATTEMPTS = 5


def media_storage_settings(kind: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for ``kind`` (filesystem or s3)."""
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {"BACKEND": "core.media_storage.MediaS3Storage", "OPTIONS": s3_options()}


def s3_options() -> dict[str, Any]:
    bucket = env_str("XADESK_S3_BUCKET", "")
    if not bucket:
        raise ImproperlyConfigured(
            "XADESK_MEDIA_STORAGE=s3 needs XADESK_S3_BUCKET (the bucket's name)."
        )
    if not _BUCKET.fullmatch(bucket):
        raise ImproperlyConfigured(
            f"XADESK_S3_BUCKET {bucket!r} is not a bucket name (3-63 lowercase letters, "
            "digits, dots or hyphens)."
        )
    endpoint = env_str("XADESK_S3_ENDPOINT_URL", "")
    if endpoint and not _HTTP_URL.fullmatch(endpoint):
        raise ImproperlyConfigured(
            f"XADESK_S3_ENDPOINT_URL {endpoint!r} must be an http:// or https:// address "
            "(empty for AWS)."
        )
    key_id = env_str("XADESK_S3_ACCESS_KEY_ID", "")
    secret = env_str("XADESK_S3_SECRET_ACCESS_KEY", "")
    if bool(key_id) != bool(secret):
        raise ImproperlyConfigured(
            "Set both XADESK_S3_ACCESS_KEY_ID and XADESK_S3_SECRET_ACCESS_KEY, or neither "
            "(then boto3 finds credentials itself, e.g. an instance role)."
        )
    public_mode = env_choice("XADESK_S3_PUBLIC_MODE", "signed", ("signed", "public-read"))
    public_base_url = env_str("XADESK_S3_PUBLIC_BASE_URL", "")
    if public_base_url and not _HTTP_URL.fullmatch(public_base_url):
        raise ImproperlyConfigured(
            f"XADESK_S3_PUBLIC_BASE_URL {public_base_url!r} must be an http:// or https:// address."
        )
    if public_base_url and public_mode != "public-read":
        raise ImproperlyConfigured(
            "XADESK_S3_PUBLIC_BASE_URL is only used with XADESK_S3_PUBLIC_MODE=public-read: "
            "signed addresses point at the bucket itself."
        )
    seconds = env_int("XADESK_S3_SIGNED_SECONDS", 300, minimum=1)
    if seconds > _MAX_SIGNED_SECONDS:
        raise ImproperlyConfigured(
            f"XADESK_S3_SIGNED_SECONDS={seconds} is more than S3 allows (604800, 7 days)."
        )
    # Connecting to a bucket host that is up takes milliseconds; 2 s covers a
    # slow DNS answer or a lost SYN and no more.
    connect_timeout = _bounded("XADESK_S3_CONNECT_TIMEOUT", 2, _MAX_CONNECT_SECONDS)
    # The read timeout bounds each wait for the socket, not the transfer: a
    # 12 MP original (about 4 MB, kept with PHOTO_PROCESSING=worker) on a weak
    # uplink takes longer than 10 s in all, but bytes keep moving. 10 s covers
    # TCP resending a lost packet three times (1 + 2 + 4 s) and the bucket
    # answering after the last byte of a large PUT; a PUT waits 1 s more for
    # "100 Continue" (botocore's own). Two attempts of that stay under
    # gunicorn's 30 s, so a silent host gets the 503, not a killed worker.
    read_timeout = _bounded("XADESK_S3_READ_TIMEOUT", 10, _MAX_READ_SECONDS)
    # Every attempt, the first included: one retry of a dropped connection
    # or a 5xx (botocore's "standard" mode), with its jittered backoff.
    attempts = _bounded("XADESK_S3_MAX_ATTEMPTS", 2, _MAX_ATTEMPTS)
    object_acl = env_choice("XADESK_S3_OBJECT_ACL", "per-object", ("per-object", "none"))
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "region_name": env_str("XADESK_S3_REGION", "us-east-1"),
        "endpoint_url": endpoint or None,
        "access_key": key_id or None,
        "secret_key": secret or None,
        "signature_version": "s3v4",
        "querystring_auth": True,
        "querystring_expire": seconds,
        "public_mode": public_mode,
        "public_base_url": public_base_url,
        # Names are random (uuid) and a restore or the photo worker replaces a
        # file on purpose: no HEAD request before each write.
        "file_overwrite": True,
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        "max_attempts": attempts,
        "object_acl": object_acl,
    }
    if endpoint:
        # MinIO and other S3-API servers answer at endpoint/bucket/key; AWS
        # picks its own style.
        options["addressing_style"] = "path"
    return options


def _bounded(name: str, default: int, maximum: int) -> int:
    value = env_int(name, default, minimum=1)
    if value > maximum:
        raise ImproperlyConfigured(
            f"{name}={value} is more than {maximum}: with retries, a bucket that does not "
            "answer would hold the request past gunicorn's 30 s timeout."
        )
    return value


def media_origins(storage: dict[str, Any]) -> list[str]:
    """Origins the pages' images and voice notes are fetched from besides this site.

    With a bucket, the photo and voice views redirect there, and a browser
    applies the page's Content-Security-Policy to the redirect's target.
    """
    options = storage.get("OPTIONS", {})
    if "bucket_name" not in options:
        return []
    origins = []
    for url in (options["endpoint_url"], options["public_base_url"]):
        if url:
            parts = urlsplit(url)
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if not options["endpoint_url"]:
        # AWS addresses a bucket by name, with or without its region.
        bucket, region = options["bucket_name"], options["region_name"]
        origins += [
            f"https://{bucket}.s3.amazonaws.com",
            f"https://{bucket}.s3.{region}.amazonaws.com",
        ]
    return sorted(set(origins))
