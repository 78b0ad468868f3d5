"""The app server when PostgreSQL goes away and comes back (issue 12).

A real gunicorn (production settings, one worker, so the same process lives
through the outage) reaches the test database through a TCP relay
(tests/faults/tcp_cut.py). Cutting the relay drops the worker's persistent
connection and refuses new ones, as a PostgreSQL restart does. While it is
cut, every request is answered 503 with Retry-After and the usual error body
(JSON under /api/, a page elsewhere), never a 500; nothing is saved. Once the
relay is back, the same worker answers again without a restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from accounts.auth import api_token_create
from helpdesk.models import Ticket
from tests import factories
from tests.conftest import COMMUNE_A
from tests.faults.tcp_cut import TcpCut
from tests.notifications.live import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def relay(transactional_db: None) -> Iterator[TcpCut]:
    database = settings.DATABASES["default"]
    cut = TcpCut(target=(database["HOST"], int(database["PORT"])))
    yield cut
    cut.close()


@pytest.fixture
def app_url(relay: TcpCut, tmp_path: Path) -> Iterator[str]:
    database = settings.DATABASES["default"]
    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "outage-test-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "XADESK_ALLOW_DEMO_BACKENDS": "true",
        "SMS_BACKEND": "memory",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DATABASE_URL": (
            f"postgis://{database['USER']}:{database['PASSWORD']}@127.0.0.1:{relay.port}/"
            f"{database['NAME']}"
        ),
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    server = subprocess.Popen(  # noqa: S603 - the project's own server
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[1][-3000:]
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.mark.usefixtures("committed_reference_data")
def test_a_database_outage_is_a_503_and_the_worker_recovers_by_itself(
    relay: TcpCut, app_url: str
) -> None:
    resident = factories.user_create(full_name="Nguyễn Thị Lan")
    bearer = {"Authorization": f"Bearer {api_token_create(user=resident)}"}
    lat, lon = factories.point_inside(factories.commune_get(code=COMMUNE_A))
    filing = {
        "service": "road_damage",
        "description": "Rác đổ bên đường",
        "lat": str(lat),
        "lon": str(lon),
    }
    photo = {"photos": ("a.jpg", factories.jpeg(), "image/jpeg")}

    with httpx.Client(base_url=app_url, timeout=20) as client:
        # Up: the worker opens its persistent connection.
        assert client.get("/api/v1/helpdesk/services").status_code == 200

        relay.cut()
        answers = {
            "services": client.get("/api/v1/helpdesk/services"),
            "filing": client.post(
                "/api/v1/reports/cases", data=filing, files=photo, headers=bearer
            ),
            "page": client.get("/reports/Uit77ECRXG9s/", headers={"Accept-Language": "vi"}),
            "page_en": client.get("/reports/Uit77ECRXG9s/", headers={"Accept-Language": "en"}),
            "health": client.get("/healthz"),
        }
        for name, answer in answers.items():
            print(name, answer.status_code, answer.headers.get("Retry-After"), answer.text[:80])
        for name in ("services", "filing"):
            answer = answers[name]
            assert answer.status_code == 503, (name, answer.text)
            assert answer.headers["Retry-After"] == "15"
            assert answer.json()["code"] == "database_unavailable"
            assert "thử lại" in answer.json()["message"]  # Vietnamese: no language asked
        assert answers["page"].status_code == 503
        assert answers["page"].headers["Retry-After"] == "15"
        assert "Vui lòng thử lại" in answers["page"].text
        assert "Please try again" in answers["page_en"].text
        assert answers["health"].status_code == 503

        relay.restore()
        # Back: the same worker reconnects on its next request, no restart.
        assert client.get("/api/v1/helpdesk/services").status_code == 200
        filed = client.post("/api/v1/reports/cases", data=filing, files=photo, headers=bearer)
        assert filed.status_code == 201, filed.text
    # The filing refused during the outage left nothing; the one after it is there once.
    assert Ticket.objects.filter(reporter=resident).count() == 1
