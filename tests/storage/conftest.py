"""A real S3-API server for the storage tests: moto_server, started and stopped here.

MinIO is not packaged on the machines the tests run on; ``moto_server`` (from
the dev dependencies, in this interpreter's bin folder) speaks the S3 API over
HTTP. Each test gets a bucket of its own and STORAGES["default"] computed by
config/media_settings.py from XADESK_S3_* variables, as production would.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from pytest_django import Settings

from config.media_settings import media_storage_settings
from tests.notifications.live import free_port

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
# moto accepts any key pair; these only have to be consistent.
KEY_ID, SECRET = "xadesk-test-key", "xadesk-test-secret"


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: Any  # a boto3 S3 client with the test credentials

    def names(self) -> list[str]:
        """Every object's key, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def body(self, key: str) -> bytes:
        data: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return data

    def plain_url(self, key: str) -> str:
        """The object's address with no signature: what a stranger could try."""
        return f"{self.endpoint}/{self.name}/{key}"


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    """GET ``url`` as a browser would (no credentials); return status, body, headers."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start moto_server on a free port for this test session; stop it after."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - the dev dependency's own server
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}: see {log.name}")
            try:
                urllib.request.urlopen(f"{endpoint}/", timeout=1).close()  # noqa: S310
                break
            except urllib.error.HTTPError:
                break  # it answers, even if not 200
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )


def use_bucket(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, *, endpoint: str, public_mode: str
) -> Bucket:
    """Create a fresh bucket and point the default storage at it through the env."""
    name = f"xadesk-{uuid.uuid4().hex[:16]}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=name)
    for variable, value in {
        "XADESK_S3_BUCKET": name,
        "XADESK_S3_ENDPOINT_URL": endpoint,
        "XADESK_S3_ACCESS_KEY_ID": KEY_ID,
        "XADESK_S3_SECRET_ACCESS_KEY": SECRET,
        "XADESK_S3_PUBLIC_MODE": public_mode,
    }.items():
        monkeypatch.setenv(variable, value)
    storage = media_storage_settings("s3")
    settings.MEDIA_STORAGE = "s3"
    # Setting STORAGES makes Django drop its cached default_storage.
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    return Bucket(name=name, endpoint=endpoint, client=client)


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
