"""/healthz checks the bucket photos and voice notes are written to (config/health.py)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from pytest_django import Settings

from tests.s3_server import Bucket, silent_endpoint


@pytest.mark.django_db
def test_healthz_is_ok_when_the_bucket_answers(bucket: Bucket, client: Client) -> None:
    body = client.get("/healthz").json()
    assert body["checks"]["media"] == "ok (s3)"
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_names_the_media_when_the_bucket_is_gone(bucket: Bucket, client: Client) -> None:
    bucket.client.delete_bucket(Bucket=bucket.name)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["media"]
    assert body["checks"]["media"].startswith("down:")


@pytest.mark.django_db
def test_healthz_answers_quickly_when_the_bucket_server_does_not(
    bucket: Bucket, client: Client, settings: Settings
) -> None:
    """A bucket host that takes the connection and never answers: one short
    attempt, so the answer comes well within compose's 4 s health check."""
    with silent_endpoint() as endpoint:
        default = settings.STORAGES["default"]
        options = {**default["OPTIONS"], "endpoint_url": endpoint}
        settings.STORAGES = {**settings.STORAGES, "default": {**default, "OPTIONS": options}}
        started = time.monotonic()
        response = client.get("/healthz")
        took = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["media"]
    assert body["checks"]["media"] == "down: ReadTimeoutError"
    assert took < 3
