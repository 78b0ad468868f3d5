"""XaDesk driven by a third-party Open311 client over real HTTP.

A real gunicorn process serves config.wsgi (as `make run` does) on the test
database. The PyPI client ``georeport`` reads it in JSON and in XML; the
two methods georeport lacks (POST and token) go through tests/open311/
spec_client.py, written from the specification.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from georeport import GeoReport

from accounts.models import Role
from helpdesk import lifecycle
from helpdesk.models import Ticket
from open311.keys import client_issue
from open311.models import ClientFiling
from tests import factories
from tests.conftest import COMMUNE_A
from tests.notifications.live import free_port
from tests.open311 import spec_client

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server(committed_reference_data: None) -> Iterator[str]:
    """gunicorn serving config.wsgi on a free port, on the test database."""
    port = free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": (
            f"postgis://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "XADESK_WARM_INDEX_SECONDS": "0",
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/open311/v2"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_third_party_client_files_follows_and_reads_requests(server: str) -> None:
    commune = factories.commune_get(code=COMMUNE_A)
    officer = factories.user_create(full_name="Trần Minh Đức")
    factories.role_grant(
        user=officer,
        role=Role.OFFICER,
        unit=commune,
        departments=(factories.department_create(commune=commune),),
    )
    app = client_issue(name="City app", account=factories.user_create(full_name="App"))
    lat, lon = factories.point_inside(commune)

    # POST and token, in both formats (the spec's own client, see spec_client.py).
    created = spec_client.post_service_request(
        server,
        api_key=app.key,
        service_code="streetlight_out",
        lat=str(lat),
        long=str(lon),
        description="Đèn đường tắt, gọi 0912 345 678",
        email="a@example.vn",
        device_id="d-1",
    )
    as_xml = spec_client.post_service_request(
        server,
        api_key=app.key,
        fmt="xml",
        service_code="water_supply",
        lat=str(lat),
        long=str(lon),
        description="Mất nước ba ngày",
    )
    request_id = spec_client.request_id_of(server, created)
    xml_id = spec_client.request_id_of(server, as_xml, fmt="xml")
    # The id at once, so no token (the spec gives one or the other); a token
    # handed out before still finds its request.
    assert "token" not in created
    assert "token" not in as_xml
    for fmt, public_id in (("json", request_id), ("xml", xml_id)):
        token = ClientFiling.objects.get(ticket__public_id=public_id).token
        assert spec_client.get_request_id_from_token(server, token, fmt=fmt) == public_id
    with pytest.raises(spec_client.Open311Error) as refused:
        spec_client.post_service_request(server, api_key="wrong", service_code="road_damage")
    assert refused.value.status == 403
    assert refused.value.errors[0]["code"] == 403
    lifecycle.ticket_accept(ticket=Ticket.objects.get(public_id=request_id), by=officer)

    for fmt in ("json", "xml"):
        client = GeoReport(server, jurisdiction="19", output_format=fmt)
        codes = {s["service_code"] for s in client.get_service_list()}
        assert {"streetlight_out", "water_supply", "road_damage"} <= codes
        definition = client.get_service_definition("streetlight_out")
        assert definition["service_code"] == "streetlight_out"
        listed = client.get_service_requests(service_code="streetlight_out", status="open")
        # xmltodict gives one element as a dict, several as a list.
        rows = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in rows] == [request_id]
        one = client.get_service_request(request_id)
        assert one["status"] == "open"
        assert one["status_notes"] == "Đã tiếp nhận"
        assert "0912 345 678" not in str(one)
        assert "•" in one["description"]
        assert "a@example.vn" not in str(one)
        both = client.get_service_requests(service_request_id=f"{request_id},{xml_id}")
        assert len(both) == 2
        with pytest.raises(requests.HTTPError) as missing:
            client.get_service_request("no-such-request")
        assert missing.value.response is not None
        assert missing.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as unknown:
        GeoReport(server, jurisdiction="99").get_service_list()
    assert unknown.value.response is not None
    assert unknown.value.response.status_code == 404
