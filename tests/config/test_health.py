from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from pytest_django import Settings

from core.db_routing import REPLICA, replica_health_forget


def _closed_port() -> int:
    """Return a loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.django_db
def test_healthz_is_ok_when_everything_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["down"] == []
    assert body["degraded"] == []
    checks = body["checks"]
    assert checks["postgis"].startswith("ok (3.")
    assert checks["channel_layer"] == "ok"  # one Redis for everything
    assert checks["media"] == "ok (filesystem)"
    assert checks["replica"] == "ok (none configured)"


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_unreachable(client: Client, settings: Settings) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CHANNEL_REDIS_URLS = [settings.REDIS_URL]
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    # The channel layer's only host is that Redis, counted once.
    assert body["down"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("down:")


@pytest.mark.django_db
def test_healthz_names_a_channel_layer_shard_that_is_down(
    client: Client, settings: Settings
) -> None:
    """Groups hashed to a dead shard lose their live pushes: the node is not healthy."""
    settings.CHANNEL_REDIS_URLS = [settings.REDIS_URL, f"redis://127.0.0.1:{_closed_port()}/0"]
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["channel_layer"]
    assert body["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_counts_the_channel_layer_shards_that_answer(
    client: Client, settings: Settings
) -> None:
    settings.CHANNEL_REDIS_URLS = [settings.REDIS_URL, settings.REDIS_URL.replace("/0", "/1")]
    body = client.get("/healthz").json()
    assert body["checks"]["channel_layer"] == "ok (1 more host)"
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_makes_a_missing_media_folder_as_the_storage_would(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    """A fresh node has no media folder until its first photo: not a fault."""
    settings.MEDIA_ROOT = str(tmp_path / "fresh" / "media")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["media"] == "ok (filesystem)"
    assert (tmp_path / "fresh" / "media").is_dir()


@pytest.mark.django_db
def test_healthz_names_the_media_folder_when_it_cannot_be_made(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("a file where the folder should be")
    settings.MEDIA_ROOT = str(tmp_path / "taken" / "media")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["media"]
    assert body["checks"]["media"] == "down: the media folder cannot be made"


@pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS, REPLICA])
def test_healthz_reports_the_replica_without_failing_the_node(
    client: Client, settings: Settings
) -> None:
    """A replica that answers is "ok"; one that does not is "degraded": reads go
    to the primary and the node still serves, so the answer stays 200."""
    settings.DATABASE_REPLICA_ENABLED = True
    # The test settings' replica alias mirrors the test database: not in
    # recovery, so no lag.
    body = client.get("/healthz").json()
    assert body["checks"]["replica"] == "ok (0.0 s behind)"
    assert body["status"] == "ok"

    alias = connections[REPLICA]
    before = alias.settings_dict
    alias.close()
    alias.settings_dict = {**before, "PORT": str(_closed_port())}
    try:
        response = client.get("/healthz")
    finally:
        alias.close()
        alias.settings_dict = before
        replica_health_forget()
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["down"], body["degraded"]) == ("degraded", [], ["replica"])
    assert re.fullmatch(r"down: \w+", body["checks"]["replica"])


@pytest.mark.django_db
def test_healthz_refuses_writes(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
