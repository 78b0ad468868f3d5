"""Filing a case: validate, route, number, set the SLA clock, record the first event."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.errors import InvalidInput
from geo.models import AdminUnit
from helpdesk import errors
from helpdesk.events import ticket_event_record
from helpdesk.models import LocationSource, Service, Ticket, TicketEvent
from helpdesk.numbering import case_number_next
from helpdesk.routing import route_case
from helpdesk.sla import WorkingCalendar, working_deadline

MAX_DESCRIPTION = 4000


class LocationRequired(InvalidInput):
    code = "location_required"
    default_message = _("Please mark the place on the map or choose your commune.")


class DescriptionRequired(InvalidInput):
    code = "description_required"
    default_message = _("Please describe the problem in a few words.")


class DescriptionTooLong(InvalidInput):
    code = "description_too_long"
    default_message = _("The description is too long: please keep it under 4,000 characters.")


@dataclass(frozen=True)
class FiledCase:
    ticket: Ticket
    explanation: str | Promise


def service_get_active(*, code: str) -> Service:
    service = Service.objects.filter(code=code, is_active=True).first()
    if service is None:
        raise errors.UnknownService()
    return service


def ticket_file(
    *,
    reporter: User,
    service: Service,
    description: str,
    lat: float | None = None,
    lon: float | None = None,
    location_source: str = "",
    accuracy_m: int | None = None,
    address_text: str = "",
    commune: AdminUnit | None = None,
) -> FiledCase:
    """Create a routed ticket; on any error nothing is saved."""
    description = description.strip()
    if service.description_required and not description:
        raise DescriptionRequired()
    if len(description) > MAX_DESCRIPTION:
        raise DescriptionTooLong()
    located = lat is not None and lon is not None
    if service.location_required and not located and commune is None:
        raise LocationRequired()
    decision = route_case(service=service, lat=lat, lon=lon, commune=commune)
    now = timezone.now()
    with transaction.atomic():
        calendar = WorkingCalendar.for_province(decision.province.pk if decision.province else None)
        ticket = Ticket.objects.create(
            number=case_number_next(province=decision.province, at=now),
            kind=service.kind,
            service=service,
            description=description,
            location=Point(lon, lat, srid=4326) if located else None,
            location_source=location_source
            or (LocationSource.MAP if located else LocationSource.COMMUNE),
            location_accuracy_m=accuracy_m,
            address_text=address_text.strip(),
            commune=decision.commune,
            province=decision.province,
            boundary_version=decision.boundary_version,
            department=decision.department,
            reporter=reporter,
            created_at=now,
            updated_at=now,
            due_at=working_deadline(start=now, working_hours=service.sla_hours, calendar=calendar),
        )
        ticket_event_record(
            ticket,
            kind=TicketEvent.Kind.CREATED,
            actor=reporter,
            to_status=ticket.status,
            body=str(decision.explanation),
        )
    return FiledCase(ticket=ticket, explanation=decision.explanation)
