"""Builders for test data: keyword-only functions, real rows, real geometry."""

from __future__ import annotations

import array
import io
import itertools
import math
from datetime import timedelta

import av
from django.contrib.gis.db.models.functions import PointOnSurface
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.auth import api_token_create
from accounts.models import Role, RoleAssignment, User
from geo.models import AdminUnit, Boundary
from helpdesk.filing import CaseDraft, Submission, case_submit, service_get_active
from helpdesk.models import Department, DepartmentMembership, DepartmentType, Service, Ticket
from helpdesk.proxy_filing import ProxyDetails

PASSWORD = "correct horse battery staple"
_phones = itertools.count(1)


def next_phone() -> str:
    """Return a fresh, valid Vietnamese mobile number (Viettel 098 range)."""
    return f"+8498{next(_phones):07d}"


def user_create(*, phone: str | None = None, full_name: str = "", **extra: object) -> User:
    return User.objects.create_user(phone or next_phone(), PASSWORD, full_name=full_name, **extra)


def commune_get(*, code: str) -> AdminUnit:
    return AdminUnit.objects.get(level=AdminUnit.Level.COMMUNE, code=code)


def province_get(*, code: str) -> AdminUnit:
    return AdminUnit.objects.get(level=AdminUnit.Level.PROVINCE, code=code)


def department_create(
    *, commune: AdminUnit, department_type: DepartmentType = DepartmentType.ECONOMY_INFRASTRUCTURE
) -> Department:
    department, _ = Department.objects.get_or_create(
        commune=commune,
        department_type=department_type,
        defaults={"name": f"{department_type.label} — {commune.name}"},
    )
    return department


def role_grant(
    *,
    user: User,
    role: Role,
    unit: AdminUnit,
    village: str = "",
    departments: tuple[Department, ...] = (),
) -> RoleAssignment:
    assignment = RoleAssignment.objects.create(user=user, role=role, unit=unit, village=village)
    for department in departments:
        DepartmentMembership.objects.create(department=department, user=user)
    return assignment


def jpeg(*, color: str = "red", gps: tuple[float, float] | None = None) -> bytes:
    """A small real JPEG, optionally with EXIF GPS like a phone camera writes."""
    image = Image.new("RGB", (640, 480), color)
    exif = Image.Exif()
    if gps is not None:
        lat, lon = gps

        def dms(value: float) -> tuple[float, float, float]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
            return (float(degrees), float(minutes), seconds)

        exif[0x8825] = {1: "N", 2: dms(lat), 3: "E", 4: dms(lon)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


# (container, codec) of recordings as phones make them; "wav" from a file picker.
VOICE_FORMATS = {
    "ogg": ("ogg", "libopus"),
    "webm": ("webm", "libopus"),
    "m4a": ("ipod", "aac"),
    "mp4": ("mp4", "aac"),
    "mp3": ("mp3", "libmp3lame"),
    "wav": ("wav", "pcm_s16le"),
}


def voice_note(
    *, seconds: float = 3.0, kind: str = "ogg", title: str | None = None, rate: int = 48_000
) -> bytes:
    """A real recording: a 440 Hz tone encoded by FFmpeg's own encoders (PyAV).

    ``title`` writes a title tag in the container and the stream, as a phone's
    recorder app may (a name, a place), to check that none of it is kept.
    """
    container_format, codec = VOICE_FORMATS[kind]
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        assert isinstance(stream, av.AudioStream)
        if title:
            out.metadata["title"] = title
            stream.metadata["title"] = title
        # One second holds 440 whole periods: the same samples repeat every second.
        second = array.array(
            "h", (int(9000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(rate))
        ).tobytes()
        total = int(seconds * rate)
        chunk = 1024
        for start in range(0, total, chunk):
            count = min(chunk, total - start)
            offset = start % rate
            pcm = (second * 2)[offset * 2 : (offset + count) * 2]
            frame = av.AudioFrame(format="s16", layout="mono", samples=count)
            frame.planes[0].update(pcm)
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def point_inside(unit: AdminUnit) -> tuple[float, float]:
    """Return (lat, lon) of a point surely inside the unit's current boundary."""
    boundary = (
        Boundary.objects.filter(unit=unit, valid_to__isnull=True)
        .annotate(inside=PointOnSurface("geom"))
        .get()
    )
    return boundary.inside.y, boundary.inside.x


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
) -> Submission:
    """A case filed through the one filing service (helpdesk.filing.case_submit),
    with the photo a photo-required service asks for."""
    return case_submit(
        reporter=reporter,
        draft=CaseDraft(
            service_code=service.code,
            description=description,
            lat=lat,
            lon=lon,
            location_source=location_source,
            accuracy_m=accuracy_m,
            address_text=address_text,
            commune_code=commune.code if commune is not None else None,
            photos=(jpeg(),) if service.photo_required else (),
        ),
    )


def case_file(
    *,
    reporter: User,
    commune: AdminUnit,
    service_code: str = "road_damage",
    description: str = "Ổ gà",
) -> Ticket:
    """A case filed through the real filing service at a point inside ``commune``."""
    lat, lon = point_inside(commune)
    return ticket_file(
        reporter=reporter,
        service=service_get_active(code=service_code),
        description=description,
        lat=lat,
        lon=lon,
    ).ticket


def case_filed_days_ago(
    *,
    commune: AdminUnit,
    days: int,
    description: str = "Đèn tắt",
    service_code: str = "streetlight_out",
    status: str = "",
) -> Ticket:
    """A case filed by a new resident at a point inside ``commune`` (case_file),
    dated ``days`` days and a minute ago, and set to ``status`` if given: cases
    a test files within one second are given their order, not left to the clock."""
    ticket = case_file(
        reporter=user_create(full_name="Lý Văn Bình"),
        commune=commune,
        service_code=service_code,
        description=description,
    )
    changed: dict[str, object] = {"created_at": timezone.now() - timedelta(days=days, minutes=1)}
    if status:
        changed["status"] = status
    Ticket.objects.filter(pk=ticket.pk).update(**changed)
    ticket.refresh_from_db()
    return ticket


def case_filed_for_a_resident(
    *, team_member: User, commune: AdminUnit, phone: str = "", service_code: str = "streetlight_out"
) -> Ticket:
    """A case a digital-team member filed for a resident, through the filing
    service; the resident follows it by SMS when ``phone`` is given."""
    lat, lon = point_inside(commune)
    return case_submit(
        reporter=team_member,
        draft=CaseDraft(
            service_code=service_code,
            lat=lat,
            lon=lon,
            proxy=ProxyDetails(
                resident_name="Bà Triệu Thị Sen", consent="spoken", resident_phone=phone
            ),
        ),
    ).ticket


def token_client(user: User) -> Client:
    """A test client that calls the API as ``user``, with a bearer key as an app does."""
    return Client(headers={"authorization": f"Bearer {api_token_create(user=user)}"})


def officer_with_case_beside(commune: AdminUnit) -> tuple[User, Ticket, Department]:
    """An officer of the commune's economy department, a case of theirs, and
    the one-stop centre beside it, outside their scope (a transfer's target
    that takes the case away from them)."""
    economy = department_create(commune=commune)
    centre = department_create(
        commune=commune, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    officer = user_create()
    role_grant(user=officer, role=Role.OFFICER, unit=commune, departments=(economy,))
    ticket = case_file(reporter=user_create(), commune=commune)
    assert ticket.department_id == economy.pk
    return officer, ticket, centre


def nearby_distance_m(*, lat: float, lon: float, to_lat: float, to_lon: float) -> int:
    """What "nearby" should answer for a report shown at (to_lat, to_lon): the
    great-circle distance rounded up to the next 50 m, at least 50, so that no
    distance is finer than the public cell (reports/selectors.py,
    reports_nearby_open). Written out here, not imported, so a change to that
    rule has to be made here too."""
    lat1, lat2 = math.radians(lat), math.radians(to_lat)
    dlat, dlon = lat2 - lat1, math.radians(to_lon - lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    metres = 2 * 6_371_008.8 * math.asin(math.sqrt(h))
    return max(1, math.ceil(metres / 50)) * 50
