"""A body that ends before its Content-Length, as gunicorn passes it on when
nginx drops the connection part-way (config/request_body.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.auth import api_token_create
from config.request_body import BodyCutShort, CompleteBody
from config.wsgi import application
from geo.models import AdminUnit
from helpdesk.models import Attachment, IdempotencyRecord, Ticket
from tests import factories
from tests.conftest import Personas

BOUNDARY = "cut-short-boundary"


def _form(fields: dict[str, str], photos: list[bytes]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = "".join(parts).encode()
    for n, photo in enumerate(photos):
        body += (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="photos"; '
                f'filename="IMG_{n}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'
            ).encode()
            + photo
            + b"\r\n"
        )
    return body + f"--{BOUNDARY}--\r\n".encode()


@contextmanager
def _test_transaction_kept() -> Iterator[None]:
    """As Django's test client does: the request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _post(*, path: str, body: bytes, length: int, headers: dict[str, str]) -> tuple[int, Any]:
    """POST through the WSGI application gunicorn serves; ``body`` may be shorter
    than ``length``, as when the connection closed part-way."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(length),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
    }
    status: list[str] = []
    with _test_transaction_kept():
        result = application(environ, lambda s, _h, _e=None: status.append(s))  # type: ignore[arg-type]
        content = b"".join(result)
        getattr(result, "close", lambda: None)()
    return int(status[0].split()[0]), json.loads(content)


def _media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def test_report_cut_short_in_its_second_photo_files_nothing_and_its_retry_files_it_whole(
    personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = factories.point_inside(commune_a)
    photos = [factories.jpeg(color="red"), factories.jpeg(color="blue")]
    body = _form(
        {"service": "road_damage", "description": "Ổ gà", "lat": str(lat), "lon": str(lon)},
        photos,
    )
    headers = {
        "Authorization": f"Bearer {api_token_create(user=personas.resident)}",
        "Idempotency-Key": "phone-retry-0001",
    }
    files_before = _media_files()
    cut = body.index(photos[1]) + len(photos[1]) // 2

    status, answer = _post(
        path="/api/v1/reports/cases", body=body[:cut], length=len(body), headers=headers
    )

    assert (status, answer["code"]) == (400, "malformed_request")
    assert not Ticket.objects.filter(reporter=personas.resident).exists()
    assert not IdempotencyRecord.objects.exists()
    assert _media_files() == files_before

    status, answer = _post(
        path="/api/v1/reports/cases", body=body, length=len(body), headers=headers
    )

    assert status == 201
    ticket = Ticket.objects.get(number=answer["case"]["number"])
    assert Attachment.objects.filter(ticket=ticket).count() == 2


def test_a_body_that_ends_early_raises_when_read_to_its_end() -> None:
    stream = CompleteBody(io.BytesIO(b"0123456789"), 20)

    assert stream.read(4) == b"0123"
    assert stream.read(100) == b"456789"  # short, not yet known to be the end
    with pytest.raises(BodyCutShort):
        stream.read(10)


@pytest.mark.parametrize("read", [lambda s: s.read(), lambda s: list(s)])
def test_a_body_that_ends_early_raises_when_read_whole(read: Any) -> None:
    with pytest.raises(BodyCutShort):
        read(CompleteBody(io.BytesIO(b"line one\nline two\n"), 40))


def test_a_complete_body_reads_to_its_end_and_then_nothing() -> None:
    stream = CompleteBody(io.BytesIO(b"line one\nline two\n"), 18)

    assert list(stream) == [b"line one\n", b"line two\n"]
    assert stream.read(10) == b""
