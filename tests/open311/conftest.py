"""Open311 fixtures: a client application with its key, and requests filed through it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from accounts.models import User
from geo.models import AdminUnit
from open311.keys import client_issue
from open311.models import ClientApplication
from tests import factories

BASE = "/open311/v2"


@dataclass(frozen=True)
class App:
    client: ClientApplication
    key: str
    operator: User


@pytest.fixture
def app(db: None) -> App:
    operator = factories.user_create(full_name="Ứng dụng Thành phố")
    issued = client_issue(name="City app", account=operator)
    return App(issued.client, issued.key, operator)


def file_request(
    app: App,
    commune: AdminUnit,
    *,
    fmt: str = "json",
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    lat, lon = factories.point_inside(commune)
    data: dict[str, Any] = {
        "api_key": app.key,
        "service_code": "streetlight_out",
        "lat": str(lat),
        "long": str(lon),
        "description": "Den duong hong",
    }
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return Client().post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    content = response.content.decode()
    assert content.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - the answer of our own server


def errors(response: Any, fmt: str) -> list[tuple[int, str]]:
    """The spec's error list: (code, description) pairs."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return [(e["code"], e["description"]) for e in response.json()]
    root = xml(response)
    assert root.tag == "errors"
    return [
        (int(e.findtext("code") or 0), e.findtext("description") or "")
        for e in root.findall("error")
    ]
