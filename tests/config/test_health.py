from __future__ import annotations

import socket

import pytest
from django.test import Client
from pytest_django import Settings


def _closed_port() -> int:
    """Return a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db
def test_healthz_is_ok_when_database_postgis_and_redis_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["checks"]["postgis"].startswith("ok (3.")


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_unreachable(client: Client, settings: Settings) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("down:")


@pytest.mark.django_db
def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
