"""Cases, services and updates as GeoReport v2 writes them, from the public view only.

Every case goes through helpdesk.public_view (masked text, the public grid
cell, times to the minute, no names); the names a client application sent
with a filing are hidden too (Ticket.filer_names). Nothing of ClientFiling's contact fields is
ever written here: email, phone, names, device_id and account_id go in, never
out. Only photos an officer approved appear, as their public copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.names import localized
from helpdesk.models import OPEN_STATUSES, Attachment, Service, Ticket, TicketEvent, TicketStatus
from helpdesk.names import department_name, service_name, unit_name
from helpdesk.photo_publishing import photo_public_url
from helpdesk.public_view import (
    event_public,
    public_time,
    residents_names_of,
    tickets_public_copies,
)
from open311.models import PHOTO_NOTICE_CODE, ServiceAttribute

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def open_or_closed(status: str) -> str:
    """The spec's two statuses: a case waiting for or being handled is open; resolved,
    closed, rejected and duplicate cases are closed (status_notes says which)."""
    return "open" if status in OPEN_STATUSES else "closed"


def _media_url(request: HttpRequest, photos: Sequence[Attachment]) -> str:
    for photo in photos:
        url = photo_public_url(attachment=photo, variant="display")
        if url:
            return request.build_absolute_uri(url)
    return ""


def _photo_note() -> str:
    return _(
        "A photo is required: upload at least one as the field media of a "
        "multipart/form-data POST. A media_url alone is not enough."
    )


def service_out(service: Service) -> dict[str, Any]:
    """A service of the list. One that needs a photo (Service.photo_required, the
    rule case_submit applies) says so in its description and has metadata, so
    a client learns it before its first POST is refused."""
    description = localized(service.description, service.description_en)
    if service.photo_required:
        description = " ".join(part for part in (description, _photo_note()) if part)
    return {
        "service_code": service.code,
        "service_name": service_name(service),
        "description": description,
        "metadata": service.photo_required or bool(service.open311_attributes.all()),
        "type": "realtime",
        "keywords": "",
        "group": str(service.get_kind_display()),
    }


def attributes_out(
    service: Service, attributes: Sequence[ServiceAttribute]
) -> list[dict[str, Any]]:
    """A service definition's attributes: a notice first (order 0) when the
    service needs a photo, then its questions. The notice is informational
    (the spec's ``variable`` false): a photo is uploaded, it is no
    attribute[...] answer, and no stored question that answers_check reads."""
    body = [attribute_out(a) for a in attributes]
    if service.photo_required:
        notice = {
            "variable": False,
            "code": PHOTO_NOTICE_CODE,
            "datatype": ServiceAttribute.Datatype.STRING.value,
            "required": False,
            "datatype_description": "",
            "order": 0,
            "description": _photo_note(),
        }
        body.insert(0, notice)
    return body


def attribute_out(attribute: ServiceAttribute) -> dict[str, Any]:
    body: dict[str, Any] = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": localized(attribute.description, attribute.description_en),
    }
    if attribute.datatype in ServiceAttribute.LISTS:
        body["values"] = [
            {"key": str(v["key"]), "name": localized(v["name"], v.get("name_en", ""))}
            for v in attribute.values
        ]
    return body


def _address(shown: Ticket) -> str:
    commune = unit_name(shown.commune) if shown.commune is not None else ""
    return ", ".join(part for part in (shown.address_text, commune) if part)


def requests_out(request: HttpRequest, tickets: Sequence[Ticket]) -> list[dict[str, Any]]:
    """The public view of each case, the names read once for all."""
    shown = tickets_public_copies(tickets)
    return [
        _request_out(request, real, public) for real, public in zip(tickets, shown, strict=True)
    ]


def _request_out(request: HttpRequest, ticket: Ticket, shown: Ticket) -> dict[str, Any]:
    point = shown.location
    return {
        "service_request_id": ticket.public_id,
        "status": open_or_closed(ticket.status),
        "status_notes": str(TicketStatus(ticket.status).label),
        "service_name": service_name(ticket.service),
        "service_code": ticket.service.code,
        "description": shown.description,
        "agency_responsible": department_name(ticket.department) if ticket.department else "",
        "service_notice": "",
        "requested_datetime": shown.created_at,
        # The last change the public can see (open311/selectors.py), not
        # updated_at, which private events move too.
        "updated_datetime": public_time(ticket.public_changed_at),  # type: ignore[attr-defined]
        "expected_datetime": shown.due_at,
        "address": _address(shown),
        "address_id": "",
        "zipcode": "",
        "lat": point.y if point is not None else None,
        "long": point.x if point is not None else None,
        "media_url": _media_url(request, getattr(ticket, "public_photos", ())),
        # XaDesk's own detail, as FixMyStreet's extension names it.
        "external_status_code": ticket.status,
    }


def updates_out(request: HttpRequest, events: Sequence[TicketEvent]) -> list[dict[str, Any]]:
    """The public view of each event, the residents' names read once for all."""
    tickets = list({event.ticket_id: event.ticket for event in events}.values())
    names = residents_names_of(tickets)
    body = []
    for event in events:
        ticket = event.ticket
        shown = event_public(event, ticket=ticket, names=names[ticket.pk])
        status = getattr(event, "status_after", None) or ticket.status
        body.append(
            {
                "update_id": str(event.pk),
                "service_request_id": ticket.public_id,
                "status": open_or_closed(status),
                "updated_datetime": shown.created_at,
                "description": shown.body or str(TicketStatus(status).label),
                "media_url": _media_url(request, getattr(event, "public_photos", ())),
                "external_status_code": status,
            }
        )
    return body
