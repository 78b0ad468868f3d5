"""Issue 18: what a "me too" supporter, the public map and the nearby list may see.

A supporter follows the public view of a case (masked text, no names of
residents, a rounded place, approved photos only) in the API, the page and the
socket alike; public views use a random id and the place's grid cell; an
officer outside the case's scope cannot tell it from a missing one.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings as SettingsWrapper

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import service_get_active
from helpdesk.models import PublicLocation, Service, Ticket
from helpdesk.public_view import public_point
from notifications.models import Notification
from tests import factories
from tests.conftest import Personas
from tests.factories import nearby_distance_m, point_inside, ticket_file

PHONE = "0912 345 678"
CCCD = "001203004567"
DESCRIPTION = f"Ổ gà trước nhà số 27, gọi tôi {PHONE}, CCCD {CCCD}"


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _file(reporter: User, commune: AdminUnit, service: str = "road_damage") -> Ticket:
    lat, lon = point_inside(commune)
    # Seconds and a fraction, so a rounded place is distinguishable from the point.
    return ticket_file(
        reporter=reporter,
        service=service_get_active(code=service),
        description=DESCRIPTION,
        lat=round(lat, 4) + 0.0000123,
        lon=round(lon, 4) + 0.0000456,
    ).ticket


def _exact(ticket: Ticket) -> Point:
    assert ticket.location is not None
    return ticket.location


def _supporter() -> User:
    return factories.user_create(full_name="Bùi Văn Hàng Xóm")


def _support(user: User, ticket: Ticket) -> None:
    response = _client(user).post(f"/api/v1/reports/public/{ticket.public_id}/support")
    assert response.status_code == 200, response.content


def _assert_public_text(text: str, personas: Personas) -> None:
    assert PHONE not in text
    assert PHONE.replace(" ", "") not in text
    assert CCCD not in text
    assert "số 27" not in text
    assert personas.resident.full_name not in text
    assert personas.resident.phone not in text


@pytest.fixture(autouse=True)
def media(settings: SettingsWrapper, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Finding 1: "me too" gives the public view, never the reporter's -----------------


@pytest.mark.django_db
def test_supporter_reads_the_public_view_over_the_api(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _file(personas.resident, commune_a)
    officer = personas.officer_a
    lifecycle.ticket_accept(ticket=ticket, by=officer)
    lifecycle.ticket_reply(ticket=ticket, by=officer, body=f"Chị gọi lại {PHONE} nhé")
    supporter = _supporter()
    assert _client(supporter).get(f"/api/v1/helpdesk/cases/{ticket.number}").status_code == 404
    _support(supporter, ticket)

    response = _client(supporter).get(f"/api/v1/helpdesk/cases/{ticket.number}")
    assert response.status_code == 200
    body = response.json()
    _assert_public_text(response.content.decode(), personas)
    assert officer.full_name not in response.content.decode()
    assert body["case"]["assignee"] is None
    # Every public event, each without its author; the reply with the number masked.
    assert [(e["kind"], e["body"]) for e in body["events"]] == [
        ("created", ""),
        ("status", ""),
        ("reply", "Chị gọi lại •••• ••• ••• nhé"),
    ]
    assert all(event["actor"] is None for event in body["events"])
    assert body["case"]["status"] == "accepted"
    assert (body["case"]["lat"], body["case"]["lon"]) != (_exact(ticket).y, _exact(ticket).x)
    shown_at = datetime.fromisoformat(body["case"]["created_at"])
    assert shown_at == ticket.created_at.replace(second=0, microsecond=0)

    # The reporter and the officer still read it as it is.
    own = _client(personas.resident).get(f"/api/v1/helpdesk/cases/{ticket.number}").json()
    assert PHONE in own["case"]["description"]
    assert personas.resident.full_name in [e["actor"] for e in own["events"]]
    staff = _client(officer).get(f"/api/v1/helpdesk/cases/{ticket.number}").json()
    assert (staff["case"]["lat"], staff["case"]["lon"]) == (_exact(ticket).y, _exact(ticket).x)


@pytest.mark.django_db
def test_supporter_sees_the_public_page(personas: Personas, commune_a: AdminUnit) -> None:
    ticket = _file(personas.resident, commune_a)
    supporter = _supporter()
    _support(supporter, ticket)
    for url in (f"/cases/{ticket.number}/", f"/cases/{ticket.number}/live/"):
        response = _client(supporter).get(url)
        assert response.status_code == 200
        _assert_public_text(response.content.decode(), personas)
    page = _client(supporter).get(f"/cases/{ticket.number}/").content.decode()
    assert 'action="/cases/' not in page  # no reply, rate or reopen forms
    assert "•" in page  # the masked description is there

    reporter_page = _client(personas.resident).get(f"/cases/{ticket.number}/").content.decode()
    assert PHONE in reporter_page


@pytest.mark.django_db
def test_public_case_page_by_public_id_needs_no_login_and_shows_no_number(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _file(personas.resident, commune_a)
    response = Client().get(f"/reports/{ticket.public_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    _assert_public_text(page, personas)
    assert ticket.number not in page
    api = Client().get(f"/api/v1/reports/public/{ticket.public_id}")
    assert api.status_code == 200
    _assert_public_text(api.content.decode(), personas)
    assert ticket.number not in api.content.decode()
    assert Client().get("/reports/not-a-real-id/").status_code == 404


# --- Finding 2: public places are grid cells, times to the minute -------------------


@pytest.mark.django_db
def test_public_map_shows_grid_cells_and_minutes_and_hides_sensitive_services(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _file(personas.resident, commune_a)
    features = Client().get("/api/v1/reports/public").json()["features"]
    assert len(features) == 1
    feature = features[0]
    lon, lat = feature["geometry"]["coordinates"]
    cell = ticket.service.public_grid_m
    assert (lat, lon) != (_exact(ticket).y, _exact(ticket).x)
    # Within the cell holding the point (half a diagonal), and the same for
    # every point in that cell.
    shift_m = math.hypot(
        (lat - _exact(ticket).y) * 111_320,
        (lon - _exact(ticket).x) * 111_320 * math.cos(math.radians(lat)),
    )
    assert shift_m <= cell * math.sqrt(2) / 2 + 1
    assert feature["id"] == ticket.public_id
    assert ticket.number not in str(feature)
    shown_at = datetime.fromisoformat(feature["properties"]["created_at"])
    assert shown_at == ticket.created_at.replace(second=0, microsecond=0)
    assert ticket.created_at.microsecond != 0 or ticket.created_at.second != 0

    Service.objects.filter(pk=ticket.service_id).update(public_location=PublicLocation.HIDDEN)
    assert Client().get("/api/v1/reports/public").json()["features"] == []
    assert ticket.public_id not in Client().get("/reports/map/").content.decode()
    assert Client().get(f"/reports/{ticket.public_id}/").status_code == 404

    Service.objects.filter(pk=ticket.service_id).update(public_location=PublicLocation.COMMUNE)
    (only,) = Client().get("/api/v1/reports/public").json()["features"]
    assert only["geometry"] is None
    assert only["properties"]["commune"]


def test_every_point_of_a_cell_gets_the_same_public_point() -> None:
    service = Service(public_location=PublicLocation.GRID, public_grid_m=100)
    centre = public_point(service=service, point=Point(105.84, 21.59, srid=4326))
    assert centre is not None
    near = [
        public_point(service=service, point=Point(centre.x + dx, centre.y + dy, srid=4326))
        for dx in (-0.0003, 0, 0.0003)
        for dy in (-0.0003, 0, 0.0003)
    ]
    assert all(p is not None and (p.x, p.y) == (centre.x, centre.y) for p in near)
    assert (
        public_point(service=Service(public_location=PublicLocation.HIDDEN), point=centre) is None
    )


@pytest.mark.django_db
def test_nearby_gives_no_distance_finer_than_the_cell(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _file(personas.resident, commune_a, service="streetlight_out")
    shown = public_point(service=ticket.service, point=ticket.location)
    assert shown is not None
    to_shown, to_exact = [], []
    # Asking from many points a few metres apart around the exact place.
    for step in range(-3, 4):
        lat = _exact(ticket).y + step * 0.00005
        lon = _exact(ticket).x
        response = Client().get(
            "/api/v1/reports/nearby",
            {"service": "streetlight_out", "lat": f"{lat}", "lon": f"{lon}"},
        )
        (near,) = response.json()
        # Measured to the public point, in 50 m steps: never to the exact one.
        to_shown.append(nearby_distance_m(lat=lat, lon=lon, to_lat=shown.y, to_lon=shown.x))
        to_exact.append(nearby_distance_m(lat=lat, lon=lon, to_lat=_exact(ticket).y, to_lon=lon))
        assert near["distance_m"] == to_shown[-1]
        assert near["public_id"] == ticket.public_id
        assert "number" not in near
        shown_at = datetime.fromisoformat(near["created_at"])
        assert (shown_at.second, shown_at.microsecond) == (0, 0)
    # The test tells the two apart only if the answers would differ somewhere.
    assert to_shown != to_exact


# --- Finding 7: 404 for "not yours" and "missing" alike; ids that reveal nothing -----


@pytest.mark.django_db
def test_out_of_scope_and_missing_cases_answer_the_same(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _file(personas.resident, commune_a)
    missing = ticket.number[:-5] + "99999"
    officer = _client(personas.officer_b)  # an officer of another commune
    for path in ("/api/v1/helpdesk/cases/{}", "/console/cases/{}/", "/cases/{}/"):
        out_of_scope = officer.get(path.format(ticket.number))
        absent = officer.get(path.format(missing))
        assert (out_of_scope.status_code, absent.status_code) == (404, 404), path
    api_out = officer.get(f"/api/v1/helpdesk/cases/{ticket.number}").json()
    api_missing = officer.get(f"/api/v1/helpdesk/cases/{missing}").json()
    assert api_out == api_missing


@pytest.mark.django_db
def test_public_ids_are_random_and_unrelated_to_the_number(
    personas: Personas, commune_a: AdminUnit
) -> None:
    tickets = [_file(personas.resident, commune_a) for _ in range(3)]
    ids = [t.public_id for t in tickets]
    assert len(set(ids)) == 3
    assert all(len(i) >= 12 for i in ids)
    assert all(t.number not in i for t, i in zip(tickets, ids, strict=True))


# --- The reporter's own words stay theirs (found by a second probe) ------------------

REPORTER_WORDS = "Tôi là mẹ cháu Lan lớp 3, đi làm về sau 18h"
RATING_WORDS = "Anh cán bộ làm chậm quá"
REOPEN_WORDS = "Vẫn chưa sửa, nhà tôi ở ngay đầu ngõ"


@pytest.mark.django_db
def test_the_public_never_reads_the_reporters_messages_rating_or_reopen_reason(
    personas: Personas, commune_a: AdminUnit
) -> None:
    ticket = _file(personas.resident, commune_a, service="streetlight_out")
    supporter = _supporter()
    _support(supporter, ticket)
    officer = personas.officer_a
    lifecycle.ticket_accept(ticket=ticket, by=officer)
    lifecycle.ticket_reply(ticket=ticket, by=personas.resident, body=REPORTER_WORDS)
    lifecycle.ticket_reply(ticket=ticket, by=officer, body="Đội sẽ đến sáng mai")
    lifecycle.ticket_resolve(ticket=ticket, by=officer, note="Đã thay bóng")
    lifecycle.ticket_rate(ticket=ticket, by=personas.resident, rating=2, comment=RATING_WORDS)
    lifecycle.ticket_reopen(ticket=ticket, by=personas.resident, reason=REOPEN_WORDS)

    views = {
        "supporter api": _client(supporter).get(f"/api/v1/helpdesk/cases/{ticket.number}"),
        "supporter page": _client(supporter).get(f"/cases/{ticket.number}/"),
        "public api": Client().get(f"/api/v1/reports/public/{ticket.public_id}"),
        "public page": Client().get(f"/reports/{ticket.public_id}/"),
    }
    for name, response in views.items():
        assert response.status_code == 200, name
        text = (
            json.dumps(response.json(), ensure_ascii=False)
            if "api" in name
            else response.content.decode()
        )
        for words in (REPORTER_WORDS, RATING_WORDS, REOPEN_WORDS):
            assert words not in text, (name, words)
        assert "Đội sẽ đến sáng mai" in text, name  # the officers' answers stay
    # The reopen still shows as a change of status, without its reason.
    events = views["supporter api"].json()["events"]
    assert events[-1]["to_status"] == "in_progress"
    assert events[-1]["body"] == ""
    # The reporter reads all of it.
    own = _client(personas.resident).get(f"/api/v1/helpdesk/cases/{ticket.number}").json()
    for words in (REPORTER_WORDS, REOPEN_WORDS):
        assert words in json.dumps(own, ensure_ascii=False)
    # Nor is the supporter told the reporter's words in their inbox.
    told = " ".join(Notification.objects.filter(recipient=supporter).values_list("body", flat=True))
    for words in (REPORTER_WORDS, RATING_WORDS, REOPEN_WORDS):
        assert words not in told
    assert "Đội sẽ đến sáng mai" in told


@pytest.mark.django_db
def test_nearby_finds_a_report_from_every_side_of_its_cell_whatever_the_cell_size(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """With 500 m cells the candidates were cut by the exact point with a fixed
    box, so points on one side of the cell did not list a report filed near a
    corner, and that arc told where the home was (found by a probe)."""
    Service.objects.filter(code="streetlight_out").update(public_grid_m=500)
    lat, lon = point_inside(commune_a)
    service = Service.objects.get(code="streetlight_out")
    centre = public_point(service=service, point=Point(lon, lat, srid=4326))
    assert centre is not None
    # A report in the south-west corner of its cell, a few metres from the edge.
    cell_lat = 500 / 111_320
    cell_lon = 500 / (111_320 * math.cos(math.radians(centre.y)))
    corner = (centre.y - cell_lat * 0.49, centre.x - cell_lon * 0.49)
    ticket = ticket_file(
        reporter=personas.resident,
        service=service,
        description="Đèn tắt",
        lat=corner[0],
        lon=corner[1],
    ).ticket
    assert public_point(service=service, point=ticket.location) == centre
    missing = []
    for bearing in range(0, 360, 5):
        # 240 m from the centre the public sees, within the 250 m radius.
        d_lat = 240 * math.cos(math.radians(bearing)) / 111_320
        d_lon = 240 * math.sin(math.radians(bearing)) / (111_320 * math.cos(math.radians(centre.y)))
        response = Client().get(
            "/api/v1/reports/nearby",
            {
                "service": "streetlight_out",
                "lat": f"{centre.y + d_lat}",
                "lon": f"{centre.x + d_lon}",
            },
        )
        if ticket.public_id not in [n["public_id"] for n in response.json()]:
            missing.append(bearing)
    assert missing == []


@pytest.mark.django_db
def test_the_public_view_reads_the_residents_names_once_however_long_the_timeline(
    personas: Personas, commune_a: AdminUnit
) -> None:
    """Masking needs the residents' names: read once per case, not per event."""
    ticket = _file(personas.resident, commune_a, service="streetlight_out")
    supporter = _supporter()
    _support(supporter, ticket)
    client = _client(supporter)
    url = f"/api/v1/helpdesk/cases/{ticket.number}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Một")
    short = queries()
    for n in range(10):
        lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body=f"Trả lời {n}")
    assert queries() == short
