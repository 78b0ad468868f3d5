"""A minimal GeoReport v2 client for the two methods the PyPI client lacks.

georeport 0.3.1 (tests/open311/test_live_client.py) reads services and
requests but cannot POST a request or look up a token, and open311 1.1 is
Python 2 code that does not import on Python 3. So these two calls are
written here from the specification's text alone (a form-encoded POST to
``requests.<format>``, a GET of ``tokens/<token>.<format>``, the answer a
list of ``request`` items, errors a list of ``error`` items), with the
standard library and without reading the server's code.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any
from xml.etree import ElementTree as ET


class Open311Error(Exception):
    def __init__(self, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors


def _items(body: bytes, fmt: str, item: str) -> list[dict[str, Any]]:
    if fmt == "json":
        parsed: list[dict[str, Any]] = json.loads(body)
        return parsed
    root = ET.fromstring(body)  # noqa: S314 - the test's own server
    return [{child.tag: child.text or "" for child in node} for node in root.findall(item)]


def _call(request: urllib.request.Request, fmt: str) -> list[dict[str, Any]]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - http only
            return _items(response.read(), fmt, "request")
    except urllib.error.HTTPError as error:
        raise Open311Error(error.code, _items(error.read(), fmt, "error")) from None


def post_service_request(
    root: str, *, api_key: str, fmt: str = "json", **fields: str
) -> dict[str, Any]:
    body = urllib.parse.urlencode({"api_key": api_key, **fields}).encode()
    request = urllib.request.Request(  # noqa: S310 - http only
        f"{root}/requests.{fmt}",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    (created,) = _call(request, fmt)
    return created


def get_request_id_from_token(root: str, token: str, *, fmt: str = "json") -> str:
    request = urllib.request.Request(f"{root}/tokens/{token}.{fmt}")  # noqa: S310
    (found,) = _call(request, fmt)
    return str(found["service_request_id"])


def request_id_of(root: str, created: dict[str, Any], *, fmt: str = "json") -> str:
    """The id of a request just POSTed: the spec's answer holds either the
    service_request_id or a token to look it up with, never both."""
    if created.get("service_request_id"):
        return str(created["service_request_id"])
    return get_request_id_from_token(root, str(created["token"]), fmt=fmt)
