"""Each storage test gets a bucket of its own on one moto_server (tests/s3_server.py),
and STORAGES["default"] computed by config/media_settings.py from the XADESK_S3_*
variables, as production computes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django import Settings

from config.media_settings import media_storage_settings
from tests.s3_server import Bucket, bucket_create, moto_running, s3_environment


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server for this test session, stopped after it."""
    with moto_running(tmp_path_factory.mktemp("moto") / "moto.log") as endpoint:
        yield endpoint


def use_bucket(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, *, endpoint: str, public_mode: str
) -> Bucket:
    """Create a fresh bucket and point the default storage at it through the env."""
    bucket = bucket_create(endpoint)
    for variable, value in s3_environment(bucket, public_mode=public_mode).items():
        monkeypatch.setenv(variable, value)
    settings.MEDIA_STORAGE = "s3"
    # Setting STORAGES makes Django drop its cached default_storage.
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_settings("s3")}
    return bucket


@pytest.fixture
def bucket(settings: Settings, monkeypatch: pytest.MonkeyPatch, s3_endpoint: str) -> Bucket:
    """The default storage on a fresh bucket, public copies signed (the default mode)."""
    return use_bucket(settings, monkeypatch, endpoint=s3_endpoint, public_mode="signed")


@pytest.fixture
def public_read_bucket(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, s3_endpoint: str
) -> Bucket:
    """The default storage on a fresh bucket, public copies written public-read."""
    return use_bucket(settings, monkeypatch, endpoint=s3_endpoint, public_mode="public-read")
