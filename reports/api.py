"""Intake API for residents and mobile clients: file (multipart, idempotent),
nearby open reports, "me too", and the public map."""

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BeforeValidator
from pydantic.json_schema import SkipJsonSchema

from accounts.auth import person_auth
from accounts.models import User
from core.api_fields import IDEMPOTENCY_KEY_HEADER, uploads_of
from core.client_ip import client_ip
from core.db_routing import replica_reads
from core.multiline import lf_lines
from core.row_links import links_to
from geo.map_view import map_view_parse
from geo.schemas import Latitude, Longitude
from helpdesk import filing
from helpdesk.api import CaseOut
from helpdesk.attachments import MAX_PHOTOS, TooManyPhotos
from helpdesk.icons import icon_emoji
from helpdesk.map_clusters import reports_public_clustered
from helpdesk.map_geojson import feature_collection
from helpdesk.names import service_name, status_labels, unit_name
from helpdesk.proxy_filing import proxy_details_given
from helpdesk.public_view import public_point, public_time
from helpdesk.support import case_support_add
from helpdesk.voice_views import voice_upload
from reports.presenters import expected_response_text, public_case_detail, public_photo_urls
from reports.selectors import (
    report_get_public,
    report_get_supportable,
    reports_nearby_open,
    reports_public,
)

router = Router()


class CaseFormIn(Schema):
    """A multipart form: a field is sent or left out, never null (the schema
    says so: SkipJsonSchema drops the null the Python default needs), and an
    empty field counts as left out."""

    service: str = Field(..., min_length=1, max_length=50)
    description: Annotated[str, BeforeValidator(lf_lines)] = Field("", max_length=4000)
    lat: Latitude | SkipJsonSchema[None] = None
    lon: Longitude | SkipJsonSchema[None] = None
    location_source: str = Field("", max_length=10)
    accuracy_m: Annotated[int, Field(ge=0, le=filing.MAX_ACCURACY_M)] | SkipJsonSchema[None] = None
    address_text: str = Field("", max_length=255)
    commune_code: Annotated[str, Field(max_length=10)] | SkipJsonSchema[None] = None
    # Filing on behalf of a resident (digital-technology team members only).
    on_behalf_name: str = Field("", max_length=150)
    on_behalf_phone: str = Field("", max_length=20)
    on_behalf_village: str = Field("", max_length=120)
    consent: str = Field("", max_length=20)


class SubmittedOut(Schema):
    case: CaseOut
    replayed: bool
    routed: bool
    message: str
    expected_response: str


class NearbyOut(Schema):
    public_id: str
    service: str
    status: str
    distance_m: int
    created_at: datetime
    supporters: int
    # The description as the public page shows it (numbers and names masked),
    # cut to 120 characters; and the first approved photo's public thumbnail.
    summary: str
    photo: str | None


class SupportOut(Schema):
    public_id: str
    supporters: int


class PublicEventOut(Schema):
    kind: str
    to_status: str
    body: str
    created_at: datetime


class PublicCaseOut(Schema):
    """A field report as anyone may see it (helpdesk.public_view): no case
    number, no names, masked text, the place rounded or left out."""

    public_id: str
    service: str
    service_name: str
    icon: str = Field(description="Deprecated: an emoji, drawn as a box by many phones.")
    icon_name: str = Field(description="A symbol of /static/icons.svg (helpdesk/icons.py).")
    status: str
    status_label: str
    description: str
    lat: float | None
    lon: float | None
    commune: str | None
    created_at: datetime
    resolved_at: datetime | None
    supporters: int
    photos: list[str]
    events: list[PublicEventOut]


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@router.post(
    "/cases",
    response={200: SubmittedOut, 201: SubmittedOut},
    auth=person_auth,
    openapi_extra=IDEMPOTENCY_KEY_HEADER,
)
def create_case(
    request: HttpRequest,
    payload: Form[CaseFormIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    voice: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status[dict[str, object]]:
    """File a report or help request: photos, and one voice note (any format a
    phone records, up to 2 minutes), which may stand in for the description.

    A voice note is refused with 422 `audio_invalid` (not a recording, damaged
    or cut short), `audio_too_long`, `audio_too_short` or
    `too_many_voice_notes`, and with 413 `audio_too_large`."""
    proxy = proxy_details_given(
        resident_name=payload.on_behalf_name,
        consent=payload.consent,
        resident_phone=payload.on_behalf_phone,
        village=payload.on_behalf_village,
    )
    uploads = uploads_of(request, "photos", photos)
    if len(uploads) > MAX_PHOTOS:
        raise TooManyPhotos()
    recording = voice_upload(request)
    submission = filing.case_submit(
        reporter=_user(request),
        draft=filing.CaseDraft(
            service_code=payload.service,
            description=payload.description,
            lat=payload.lat,
            lon=payload.lon,
            location_source=payload.location_source,
            accuracy_m=payload.accuracy_m,
            address_text=payload.address_text,
            commune_code=payload.commune_code,
            photos=tuple(upload.read() for upload in uploads),
            voice=recording,
            proxy=proxy,
        ),
        idempotency_key=request.headers.get("Idempotency-Key"),
        ip=client_ip(request),
    )
    ticket = submission.ticket
    return Status(
        200 if submission.replayed else 201,
        {
            "case": ticket,
            "replayed": submission.replayed,
            "routed": ticket.department_id is not None,
            "message": submission.explanation,
            "expected_response": expected_response_text(ticket),
        },
    )


@router.get("/nearby", response=list[NearbyOut], auth=None)
@replica_reads
def list_nearby(request: HttpRequest, service: str, lat: Latitude, lon: Longitude) -> list[object]:
    return list(reports_nearby_open(service_code=service, lat=lat, lon=lon))


@router.post("/public/{public_id}/support", response=SupportOut, auth=person_auth)
def support_case(request: HttpRequest, public_id: str) -> dict[str, object]:
    """ "Me too" on an open report, by the public id the map and nearby list show."""
    ticket = report_get_supportable(public_id=public_id)
    return {
        "public_id": public_id,
        "supporters": case_support_add(ticket=ticket, user=_user(request), ip=client_ip(request)),
    }


@router.get("/public/{public_id}", response=PublicCaseOut, auth=None)
def public_case(request: HttpRequest, public_id: str) -> dict[str, object]:
    return public_case_detail(report_get_public(public_id=public_id))


@router.get("/public", auth=None)
@replica_reads
def public_map(request: HttpRequest) -> HttpResponse:
    """GeoJSON of field reports as the public sees them (helpdesk.public_view):
    public ids, rounded places (no geometry for services shown by commune only),
    times to the minute, approved photos only; sensitive services left out."""
    features = []
    for ticket in reports_public():
        point = public_point(service=ticket.service, point=ticket.location)
        features.append(
            {
                "type": "Feature",
                "id": ticket.public_id,
                "geometry": {"type": "Point", "coordinates": [point.x, point.y]}
                if point is not None
                else None,
                "properties": {
                    "public_id": ticket.public_id,
                    "service": service_name(ticket.service),
                    "icon": icon_emoji(ticket.service.icon),
                    "icon_name": ticket.service.icon,
                    "status": ticket.status,
                    "status_label": str(ticket.get_status_display()),
                    "commune": unit_name(ticket.commune) if ticket.commune else None,
                    "created_at": public_time(ticket.created_at).isoformat(),
                    # Prefetched by the selector: approved photos only.
                    "photos": public_photo_urls(ticket.attachments.all()),
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@router.get("/map", auth=None)
@replica_reads
def public_map_view(request: HttpRequest, bbox: str = "", zoom: str = "") -> JsonResponse:
    """The public map inside a map view (``bbox=west,south,east,north``,
    ``zoom``) as GeoJSON: bubbles with counts per commune below street zoom,
    then per public grid cell, a cell's only report with its public id
    (helpdesk/map_clusters.py). No case number, person or exact place."""
    view = map_view_parse(bbox=bbox, zoom=zoom)
    found = reports_public_clustered(view=view)
    case_url = links_to("reports:public-case")
    labels = status_labels()

    def point(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "lon": row["lon"],
            "lat": row["lat"],
            "public_id": row["public_id"],
            "service": service_name(row["service"]),
            "status": row["status"],
            "status_label": labels.get(row["status"], row["status"]),
            "url": case_url(row["public_id"]),
        }

    return JsonResponse(
        feature_collection(found, point_properties=point, public=True),
        json_dumps_params={"ensure_ascii": False},
    )
