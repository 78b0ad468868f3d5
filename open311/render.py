"""Write GeoReport v2 answers as JSON or XML, chosen by the path's suffix.

One data shape for both: dicts, lists, text, numbers, booleans, datetimes.
XML needs an element name for each list item, which the spec fixes
(``<services><service>``, ``<attributes><attribute>`` ...): LIST_ITEMS.
Times are ISO 8601 with their offset; a value that is None is left out of the
XML and written as null in JSON. XML 1.0 has no way to write most control
characters (even as ``&#1;``), which ElementTree writes as they are: they are
dropped from XML text, as one stray character in one case's description would
otherwise make the whole feed unreadable to every client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils.timezone import localtime

from core.errors import DomainError
from open311.errors import open311_description, open311_status

JSON = "json"
XML = "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Every character outside XML 1.0's Char production: controls but tab, newline
# and carriage return; UTF-16 surrogates (alone, they are no character); U+FFFE, U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Element name of each item of a list, by the list's own name.
LIST_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def iso(moment: datetime) -> str:
    """ISO 8601 with the offset of the display time zone (+07:00 in Vietnam)."""
    return localtime(moment).isoformat(timespec="seconds")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return iso(value)
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: object) -> None:
    if value is None:
        return
    element = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        child = LIST_ITEMS[name]
        for item in value:
            _append(element, child, item)
    else:
        element.text = _text(value)


def render(body: object, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """The answer in ``fmt``; ``root`` names the XML document element (a list's
    items take their name from LIST_ITEMS, an object's fields their own)."""
    if fmt == JSON:
        content = json.dumps(body, ensure_ascii=False, default=_json_default)
    else:
        document = ET.Element(root)
        if isinstance(body, Mapping):
            for key, item in body.items():
                _append(document, key, item)
        else:
            assert isinstance(body, Sequence)
            for item in body:
                _append(document, LIST_ITEMS[root], item)
        content = XML_DECLARATION + ET.tostring(document, encoding="unicode")
    return HttpResponse(content.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def render_error(error: DomainError, *, fmt: str) -> HttpResponse:
    """The spec's error list: one ``{code, description}`` whose code is the status."""
    status = open311_status(error)
    body: list[dict[str, Any]] = [{"code": status, "description": open311_description(error)}]
    response = render(body, fmt=fmt, root="errors", status=status)
    retry_after = error.details.get("retry_after")
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
