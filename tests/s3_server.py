"""A real S3-API server for tests: moto_server, started and stopped by the test run.

MinIO is not packaged on the machines the tests run on; ``moto_server`` (from
the dev dependencies, in this interpreter's bin folder) speaks the S3 API over
HTTP. moto refuses anonymous reads of private objects (403) but does not check
a presigned address's signature or expiry.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

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


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )


@contextmanager
def moto_running(log_path: Path) -> Iterator[str]:
    """Start moto_server on a free port; yield its address; stop it."""
    port = free_port()
    log = log_path.open("wb")
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
                raise RuntimeError(f"moto_server exited with {process.returncode}: see {log_path}")
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


def bucket_create(endpoint: str) -> Bucket:
    """A new, empty bucket with a name no other test uses."""
    name = f"xadesk-{uuid.uuid4().hex[:16]}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=name)
    return Bucket(name=name, endpoint=endpoint, client=client)


def s3_environment(bucket: Bucket, *, public_mode: str = "signed") -> dict[str, str]:
    """The XADESK_* variables that point XaDesk's media at ``bucket``."""
    return {
        "XADESK_MEDIA_STORAGE": "s3",
        "XADESK_S3_BUCKET": bucket.name,
        "XADESK_S3_ENDPOINT_URL": bucket.endpoint,
        "XADESK_S3_ACCESS_KEY_ID": KEY_ID,
        "XADESK_S3_SECRET_ACCESS_KEY": SECRET,
        "XADESK_S3_PUBLIC_MODE": public_mode,
    }


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """An http:// address whose host takes connections and never answers: the
    kernel completes the handshakes of a listening socket nothing reads."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        yield f"http://127.0.0.1:{silent.getsockname()[1]}"
