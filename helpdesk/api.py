"""HTTP API of the case core: catalogue, filing, queue, case detail and officer actions.

Handlers parse, call one service or selector, and render; scope and state rules
live in helpdesk.permissions and helpdesk.lifecycle.
"""

from datetime import datetime
from typing import Any, Self

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ModelWrapValidatorHandler, model_validator

from accounts.auth import person_auth
from accounts.models import User
from core.api_fields import IDEMPOTENCY_KEY_HEADER, CappedLimitOffset, JsonBody, uploads_of
from core.client_ip import client_ip
from core.db_routing import replica_reads, replica_reads_from_here
from core.names import localized
from core.pagination import COUNT_CAP
from core.row_links import links_to
from geo.map_view import map_view_parse
from helpdesk import lifecycle, selectors
from helpdesk.attachments import attachment_approve_public
from helpdesk.case_rows import case_row, case_rows
from helpdesk.errors import CaseNotFound, InvalidAssignee, InvalidTransferTarget, OutOfScope
from helpdesk.icons import icon_emoji
from helpdesk.lifecycle import MAX_COMMENT, MAX_MESSAGE
from helpdesk.map_clusters import tickets_clustered
from helpdesk.map_geojson import feature_collection
from helpdesk.models import Department, Service, Ticket, TicketEvent
from helpdesk.names import service_name, status_labels
from helpdesk.permissions import CaseView, can_manage, case_view, scope_for
from helpdesk.public_view import events_public_copies, ticket_public
from helpdesk.voice_views import voice_upload

router = Router()


# --- schemas -----------------------------------------------------------------


class ServiceOut(Schema):
    code: str
    kind: str
    name: str
    icon: str = Field(description="Deprecated: an emoji, drawn as a box by many phones.")
    icon_name: str = Field(description="A symbol of /static/icons.svg (helpdesk/icons.py).")
    location_required: bool
    photo_required: bool
    description_required: bool
    sla_hours: float

    @staticmethod
    def from_service(service: Service) -> "ServiceOut":
        return ServiceOut(
            code=service.code,
            kind=service.kind,
            name=service_name(service),
            icon=icon_emoji(service.icon),
            icon_name=service.icon,
            location_required=service.location_required,
            photo_required=service.photo_required,
            description_required=service.description_required,
            sla_hours=float(service.sla_hours),
        )


class UnitRef(Schema):
    code: str
    name: str


class CaseOut(Schema):
    """A case as its officers and its reporter see it, built by helpdesk.case_rows:
    a page's rows come as ``case_rows`` made them, and a Ticket any answer holds
    (an action's, the case page's, a filing's) goes through ``case_row`` here,
    so no handler has to."""

    number: str
    # The id the public map and "me too" use; it does not reveal the sequence.
    public_id: str
    kind: str
    service: str
    status: str
    status_label: str
    description: str
    lat: float | None
    lon: float | None
    commune: UnitRef | None
    department: str | None
    assignee: str | None
    created_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    rating: int | None

    @model_validator(mode="wrap")
    @classmethod
    def _from_ticket(cls, value: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        return handler(case_row(value) if isinstance(value, Ticket) else value)


class EventOut(Schema):
    id: int
    kind: str
    actor: str | None
    from_status: str
    to_status: str
    body: str
    is_public: bool
    created_at: datetime

    @staticmethod
    def resolve_actor(event: TicketEvent) -> str | None:
        return event.actor.full_name if event.actor else None


class CaseDetailOut(Schema):
    case: CaseOut
    events: list[EventOut]


class QueueFilterIn(Schema):
    status: str | None = None
    service: str | None = None
    department: int | None = None
    commune: str | None = None
    mine: bool = False
    overdue: bool = False
    unrouted: bool = False


class NoteIn(JsonBody):
    body: str = Field("", max_length=MAX_MESSAGE)


class ReasonIn(JsonBody):
    reason: str = Field(..., max_length=MAX_MESSAGE)


class AcceptIn(JsonBody):
    assignee_phone: str | None = None


class AssignIn(JsonBody):
    assignee_phone: str


class DuplicateIn(JsonBody):
    original: str


class TransferIn(JsonBody):
    department_id: int
    reason: str = Field(..., max_length=MAX_MESSAGE)


class RateIn(JsonBody):
    rating: int
    comment: str = Field("", max_length=MAX_COMMENT)


# --- handlers ----------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _ticket(request: HttpRequest, number: str) -> Ticket:
    return selectors.ticket_get(scope=scope_for(user=request.user), number=number)


@router.get("/services", response=list[ServiceOut], auth=None)
def list_services(request: HttpRequest) -> list[ServiceOut]:
    return [ServiceOut.from_service(s) for s in selectors.services_active()]


@router.get("/cases", response=list[CaseOut], auth=person_auth)
@paginate(CappedLimitOffset, rows=case_rows)
def list_cases(request: HttpRequest, filters: Query[QueueFilterIn]) -> QuerySet[Ticket]:
    """The person's queue (staff) or their own cases, most urgent first.

    ``count`` stops at 1001, meaning "more than 1,000": an exact count of a
    province's years of cases costs more than the page (core/pagination.py).
    """
    scope = scope_for(user=request.user)
    if not scope.is_staff_member:
        # A resident's own cases stay on the primary: an app with a bearer
        # key keeps no pin cookie, and its new report must show at once.
        return selectors.tickets_of_reporter(scope=scope)
    # Staff queues from the replica; who they are and their scope were read
    # from the primary above.
    replica_reads_from_here()
    return selectors.tickets_queue(scope=scope, filters=_queue_filter(filters))


def _queue_filter(filters: QueueFilterIn) -> selectors.QueueFilter:
    return selectors.QueueFilter(
        status=filters.status,
        service=filters.service,
        department_id=filters.department,
        commune_code=filters.commune,
        assigned_to_me=filters.mine,
        overdue=filters.overdue,
        unrouted=filters.unrouted,
    )


@router.get("/map", auth=person_auth)
@replica_reads
def map_cases(
    request: HttpRequest, filters: Query[QueueFilterIn], bbox: str = "", zoom: str = ""
) -> JsonResponse:
    """The person's queue inside a map view (``bbox=west,south,east,north``,
    ``zoom``) as GeoJSON: bubbles with counts below street zoom, the cases
    themselves from it (helpdesk/map_clusters.py). Same scope and filters as
    /cases; ``total`` is the number of cases in view (``capped``: more than
    that)."""
    view = map_view_parse(bbox=bbox, zoom=zoom)
    found = tickets_clustered(
        scope=scope_for(user=request.user),
        filters=_queue_filter(filters),
        view=view,
        limit=settings.QUEUE_MAP_LIMIT,
        cap=COUNT_CAP,
    )
    detail_url = links_to("console:ticket-detail")
    labels = status_labels()

    def point(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "lon": row["lon"],
            "lat": row["lat"],
            "number": row["number"],
            "service": localized(row["service__name"], row["service__name_en"]),
            "status": row["status"],
            "status_label": labels.get(row["status"], row["status"]),
            "url": detail_url(row["number"]),
        }

    return JsonResponse(
        feature_collection(found, point_properties=point),
        json_dumps_params={"ensure_ascii": False},
    )


@router.get("/cases/{number}", response=CaseDetailOut, auth=person_auth)
def get_case(request: HttpRequest, number: str, after: int = 0) -> dict[str, object]:
    """The case as the person may see it: officers in scope and the reporter in
    full, anyone else following it (a "me too") its public view."""
    scope = scope_for(user=request.user)
    ticket = selectors.ticket_get(scope=scope, number=number)
    events = list(selectors.ticket_timeline(scope=scope, ticket=ticket, after=after))
    if case_view(scope=scope, ticket=ticket) == CaseView.PUBLIC:
        return {
            "case": ticket_public(ticket),
            "events": events_public_copies(events, ticket=ticket),
        }
    return {"case": ticket, "events": events}


def _officer(phone: str | None) -> User | None:
    """The officer a phone number names; None when none is given.

    A number with no account is refused as a number of someone outside the
    department is (InvalidAssignee): the same answer either way, so that the
    endpoint tells no one whether a number has an account, and a mistyped
    number is not taken as "assign it to me".
    """
    if not phone:
        return None
    from accounts.phones import phone_normalize

    officer = User.objects.filter(phone=phone_normalize(phone)).first()
    if officer is None:
        raise InvalidAssignee()
    return officer


def _managed_ticket(request: HttpRequest, number: str) -> Ticket:
    """The case, if the caller may act on it as staff: checked before any phone
    number is looked up, so that only staff learn who may be given a case."""
    scope = scope_for(user=request.user)
    ticket = selectors.ticket_get(scope=scope, number=number)
    if not can_manage(scope=scope, ticket=ticket):
        raise OutOfScope()
    return ticket


@router.post("/cases/{number}/accept", response=CaseOut, auth=person_auth)
def accept_case(request: HttpRequest, number: str, payload: AcceptIn) -> Ticket:
    ticket = _managed_ticket(request, number)
    return lifecycle.ticket_accept(
        ticket=ticket,
        by=_user(request),
        assignee=_officer(payload.assignee_phone),
        ip=client_ip(request),
    )


@router.post("/cases/{number}/assign", response=CaseOut, auth=person_auth)
def assign_case(request: HttpRequest, number: str, payload: AssignIn) -> Ticket:
    ticket = _managed_ticket(request, number)
    officer = _officer(payload.assignee_phone)
    if officer is None:  # no number given
        raise InvalidAssignee()
    return lifecycle.ticket_assign(
        ticket=ticket, by=_user(request), assignee=officer, ip=client_ip(request)
    )


@router.post("/cases/{number}/start", response=CaseOut, auth=person_auth)
def start_case(request: HttpRequest, number: str) -> Ticket:
    return lifecycle.ticket_start(
        ticket=_ticket(request, number), by=_user(request), ip=client_ip(request)
    )


@router.post("/cases/{number}/resolve", response=CaseOut, auth=person_auth)
def resolve_case(
    request: HttpRequest,
    number: str,
    payload: Form[NoteIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Ticket:
    """Resolve (multipart: ``body`` and the "after" ``photos`` some services require)."""
    return lifecycle.ticket_resolve(
        ticket=_ticket(request, number),
        by=_user(request),
        note=payload.body,
        photos=[photo.read() for photo in uploads_of(request, "photos", photos)],
        ip=client_ip(request),
    )


class PhotoPublicIn(JsonBody):
    public: bool


@router.post("/cases/{number}/photos/{photo_id}/public", response={204: None}, auth=person_auth)
def set_photo_public(
    request: HttpRequest, number: str, photo_id: int, payload: PhotoPublicIn
) -> Status[None]:
    """Show (or hide) a photo on the public map, after looking at it for faces and plates."""
    ticket = _ticket(request, number)
    photo = ticket.attachments.filter(pk=photo_id).first()
    if photo is None:
        raise CaseNotFound()
    attachment_approve_public(
        attachment=photo, by=_user(request), approved=payload.public, ip=client_ip(request)
    )
    return Status(204, None)


@router.post("/cases/{number}/reject", response=CaseOut, auth=person_auth)
def reject_case(request: HttpRequest, number: str, payload: ReasonIn) -> Ticket:
    return lifecycle.ticket_reject(
        ticket=_ticket(request, number),
        by=_user(request),
        reason=payload.reason,
        ip=client_ip(request),
    )


@router.post("/cases/{number}/duplicate", response=CaseOut, auth=person_auth)
def mark_duplicate_case(request: HttpRequest, number: str, payload: DuplicateIn) -> Ticket:
    original = _ticket(request, payload.original)
    return lifecycle.ticket_mark_duplicate(
        ticket=_ticket(request, number),
        by=_user(request),
        original=original,
        ip=client_ip(request),
    )


@router.post("/cases/{number}/transfer", response=CaseOut, auth=person_auth)
def transfer_case(request: HttpRequest, number: str, payload: TransferIn) -> Ticket:
    """Send the case to another department, with a reason.

    Sent again (the same department and reason, within 30 minutes), it is
    answered like the first time, with the case as the transfer left it,
    even though the case is no longer the sender's to see.
    """
    department = (
        Department.objects.select_related("commune__parent")
        .filter(pk=payload.department_id)
        .first()
    )
    if department is None:
        raise InvalidTransferTarget()
    try:
        return lifecycle.ticket_transfer(
            ticket=_ticket(request, number),
            by=_user(request),
            department=department,
            reason=payload.reason,
            ip=client_ip(request),
        )
    except (CaseNotFound, OutOfScope):
        # Not (or no longer, when a twin moved it while this one waited at
        # the case's lock) the caller's case: the retry of their own transfer
        # that took it away is answered as done.
        done = lifecycle.transfer_already_made(
            number=number, by=_user(request), department_id=department.pk, reason=payload.reason
        )
        if not done:
            raise
        return done


def _message(
    request: HttpRequest, number: str, body: str, photos: list[UploadedFile] | None, internal: bool
) -> TicketEvent:
    # A retry with the same key gets the first message back, with the same 201.
    return lifecycle.ticket_reply(
        ticket=_ticket(request, number),
        by=_user(request),
        body=body,
        internal=internal,
        photos=[photo.read() for photo in uploads_of(request, "photos", photos)],
        voice=voice_upload(request),
        ip=client_ip(request),
        idempotency_key=request.headers.get("Idempotency-Key"),
    )


@router.post(
    "/cases/{number}/reply",
    response={201: EventOut},
    auth=person_auth,
    openapi_extra=IDEMPOTENCY_KEY_HEADER,
)
def reply_case(
    request: HttpRequest,
    number: str,
    payload: Form[NoteIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    voice: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status[TicketEvent]:
    """A public reply (multipart: ``body``, optional ``photos`` and one optional
    ``voice`` note, which the resident plays on their case page; refused with
    the audio_* codes of the filing operation)."""
    return Status(201, _message(request, number, payload.body, photos, internal=False))


@router.post(
    "/cases/{number}/note",
    response={201: EventOut},
    auth=person_auth,
    openapi_extra=IDEMPOTENCY_KEY_HEADER,
)
def note_case(
    request: HttpRequest,
    number: str,
    payload: Form[NoteIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    voice: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status[TicketEvent]:
    """An internal note, officers only (multipart: ``body``, optional ``photos``
    and one optional ``voice`` note)."""
    return Status(201, _message(request, number, payload.body, photos, internal=True))


@router.post("/cases/{number}/reopen", response=CaseOut, auth=person_auth)
def reopen_case(request: HttpRequest, number: str, payload: ReasonIn) -> Ticket:
    return lifecycle.ticket_reopen(
        ticket=_ticket(request, number), by=_user(request), reason=payload.reason
    )


@router.post("/cases/{number}/rate", response=CaseOut, auth=person_auth)
def rate_case(request: HttpRequest, number: str, payload: RateIn) -> Ticket:
    return lifecycle.ticket_rate(
        ticket=_ticket(request, number),
        by=_user(request),
        rating=payload.rating,
        comment=payload.comment,
    )
