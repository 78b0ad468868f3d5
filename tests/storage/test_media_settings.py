"""XADESK_MEDIA_STORAGE and XADESK_S3_*: a half-configured bucket stops start-up with a sentence."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.media_settings import media_origins, media_storage_settings
from core.media_storage import MediaS3Storage
from tests.test_settings_env import start_django

S3_VARIABLES = (
    "XADESK_S3_BUCKET",
    "XADESK_S3_ENDPOINT_URL",
    "XADESK_S3_REGION",
    "XADESK_S3_ACCESS_KEY_ID",
    "XADESK_S3_SECRET_ACCESS_KEY",
    "XADESK_S3_PUBLIC_MODE",
    "XADESK_S3_PUBLIC_BASE_URL",
    "XADESK_S3_SIGNED_SECONDS",
    "XADESK_S3_CONNECT_TIMEOUT",
    "XADESK_S3_READ_TIMEOUT",
    "XADESK_S3_MAX_ATTEMPTS",
    "XADESK_S3_OBJECT_ACL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in S3_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XADESK_S3_BUCKET", "xadesk-media")
    return monkeypatch


def test_the_filesystem_is_the_default_and_needs_no_bucket() -> None:
    assert media_storage_settings("filesystem") == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert media_origins(media_storage_settings("filesystem")) == []


def test_s3_defaults_sign_for_five_minutes_in_us_east_1_on_aws() -> None:
    storage = media_storage_settings("s3")
    assert storage["BACKEND"] == "core.media_storage.MediaS3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "xadesk-media"
    assert options["region_name"] == "us-east-1"
    assert options["endpoint_url"] is None
    assert options["querystring_expire"] == 300
    assert options["public_mode"] == "signed"
    assert "addressing_style" not in options
    assert media_origins(storage) == [
        "https://xadesk-media.s3.amazonaws.com",
        "https://xadesk-media.s3.us-east-1.amazonaws.com",
    ]


def test_the_client_gives_up_on_a_silent_bucket_within_bounded_waits(
    clean_env: pytest.MonkeyPatch,
) -> None:
    options = media_storage_settings("s3")["OPTIONS"]
    assert (options["connect_timeout"], options["read_timeout"]) == (2, 10)
    assert options["max_attempts"] == 2
    assert options["object_acl"] == "per-object"
    clean_env.setenv("XADESK_S3_ENDPOINT_URL", "http://minio:9000")
    clean_env.setenv("XADESK_S3_READ_TIMEOUT", "20")
    config = MediaS3Storage(**media_storage_settings("s3")["OPTIONS"]).client_config
    assert (config.connect_timeout, config.read_timeout) == (2, 20)
    assert config.retries == {"mode": "standard", "total_max_attempts": 2}
    # What django-storages builds from the other settings is kept.
    assert config.s3 == {"addressing_style": "path"}
    assert config.signature_version == "s3v4"


def test_an_s3_api_server_is_addressed_by_path_and_allowed_by_the_pages(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("XADESK_S3_ENDPOINT_URL", "http://minio:9000")
    clean_env.setenv("XADESK_S3_PUBLIC_MODE", "public-read")
    clean_env.setenv("XADESK_S3_PUBLIC_BASE_URL", "https://cdn.example.org/media")
    clean_env.setenv("XADESK_S3_SIGNED_SECONDS", "60")
    storage = media_storage_settings("s3")
    assert storage["OPTIONS"]["addressing_style"] == "path"
    assert storage["OPTIONS"]["querystring_expire"] == 60
    assert media_origins(storage) == ["http://minio:9000", "https://cdn.example.org"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"XADESK_S3_BUCKET": ""}, "needs XADESK_S3_BUCKET"),
        ({"XADESK_S3_BUCKET": "My_Bucket"}, "is not a bucket name"),
        ({"XADESK_S3_ENDPOINT_URL": "minio:9000"}, "must be an http:// or https:// address"),
        ({"XADESK_S3_ACCESS_KEY_ID": "key"}, "Set both XADESK_S3_ACCESS_KEY_ID"),
        ({"XADESK_S3_SECRET_ACCESS_KEY": "secret"}, "Set both XADESK_S3_ACCESS_KEY_ID"),
        ({"XADESK_S3_PUBLIC_MODE": "public"}, "must be one of: signed, public-read"),
        ({"XADESK_S3_PUBLIC_BASE_URL": "https://cdn.example.org"}, "only used with"),
        (
            {"XADESK_S3_PUBLIC_MODE": "public-read", "XADESK_S3_PUBLIC_BASE_URL": "cdn"},
            "XADESK_S3_PUBLIC_BASE_URL 'cdn' must be",
        ),
        ({"XADESK_S3_SIGNED_SECONDS": "0"}, "XADESK_S3_SIGNED_SECONDS"),
        ({"XADESK_S3_SIGNED_SECONDS": "604801"}, "more than S3 allows"),
        ({"XADESK_S3_CONNECT_TIMEOUT": "0"}, "XADESK_S3_CONNECT_TIMEOUT=0 must be at least 1"),
        ({"XADESK_S3_READ_TIMEOUT": "2.5"}, "XADESK_S3_READ_TIMEOUT='2.5' is not an integer"),
        ({"XADESK_S3_READ_TIMEOUT": "61"}, "gunicorn's 30 s timeout"),
        ({"XADESK_S3_MAX_ATTEMPTS": "6"}, "XADESK_S3_MAX_ATTEMPTS=6 is more than 5"),
        ({"XADESK_S3_OBJECT_ACL": "private"}, "must be one of: per-object, none"),
    ],
)
def test_a_wrong_s3_setting_is_refused_with_a_sentence(
    clean_env: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        clean_env.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage_settings("s3")


def test_production_settings_refuse_s3_without_a_bucket_at_start_up() -> None:
    result = start_django(DJANGO_SECRET_KEY="x" * 50, XADESK_MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "XADESK_MEDIA_STORAGE=s3 needs XADESK_S3_BUCKET" in result.stderr


def test_production_settings_start_on_a_bucket() -> None:
    result = start_django(
        DJANGO_SECRET_KEY="x" * 50, XADESK_MEDIA_STORAGE="s3", XADESK_S3_BUCKET="xadesk-media"
    )
    assert result.returncode == 0, result.stderr
