"""Server-side map clusters: counts equal each person's true counts, no case out
of scope (or out of the public view) ever adds to a bubble, and a bad view is
a 4xx with a stable code."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.map_clusters import POINTS_ZOOM
from helpdesk.models import PublicLocation, Service, ServiceKind, Ticket, TicketStatus
from helpdesk.permissions import scope_for, tickets_managed_by
from helpdesk.public_view import public_point, tickets_public
from tests.conftest import Personas
from tests.console.pages import case_in
from tests.factories import point_inside, ticket_file

STAFF_MAP = "/api/v1/helpdesk/map"
PUBLIC_MAP = "/api/v1/reports/map"
# All of Vietnam, and the test communes' province (Thái Nguyên), as a screen
# shows them at zoom 6 and at zooms 9-11.
COUNTRY = "102,8,110,24"
PROVINCE = "105.3,21.2,106.5,22.9"
ZOOMS = (6, 9, 11)


def _bbox(zoom: int) -> str:
    return COUNTRY if zoom < 9 else PROVINCE


STAFF_PERSONAS = ("officer_a", "officer_b", "leader_a", "province_admin", "resident")


def _client(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _get(client: Client, url: str, **query: Any) -> dict[str, Any]:
    response = client.get(url, query)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


def _box_around(lat: float, lon: float, half: float = 0.002) -> str:
    return f"{lon - half},{lat - half},{lon + half},{lat + half}"


def _bubbles(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [f["properties"] for f in body["features"] if f["properties"]["cluster"]]


def _assert_bubbles_are_true_counts(body: dict[str, Any], expected: Counter[str]) -> None:
    """Each bubble's count is the sum of its communes' true counts; every commune
    with a case is on one bubble, and none without."""
    seen: list[str] = []
    for bubble in _bubbles(body):
        assert bubble["count"] == sum(expected[code] for code in bubble["communes"])
        assert all(expected[code] for code in bubble["communes"])
        seen += bubble["communes"]
    assert sorted(seen) == sorted(expected)
    assert body["total"] == sum(expected.values())


def _true_counts(user: User, **filters: Any) -> Counter[str]:
    tickets = tickets_managed_by(scope=scope_for(user=user)).filter(**filters)
    return Counter(tickets.values_list("commune__code", flat=True))


@pytest.fixture
def cases(personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit) -> list[Ticket]:
    """Three cases in commune A (routed to officer A's department), two in commune B
    (unrouted: commune B has no department for streetlights), one accepted."""
    made = [case_in(commune_a, personas.resident) for _ in range(3)]
    made += [case_in(commune_b, personas.resident) for _ in range(2)]
    lifecycle.ticket_accept(ticket=made[0], by=personas.officer_a)
    return made


@pytest.mark.django_db
@pytest.mark.parametrize("zoom", ZOOMS)
@pytest.mark.parametrize("who", STAFF_PERSONAS)
def test_bubbles_count_exactly_the_persons_own_cases_per_commune(
    personas: Personas, cases: list[Ticket], who: str, zoom: int
) -> None:
    user = getattr(personas, who)
    body = _get(_client(user), STAFF_MAP, bbox=_bbox(zoom), zoom=zoom)
    assert body["type"] == "FeatureCollection"
    _assert_bubbles_are_true_counts(body, _true_counts(user))
    # Below street zoom nothing names a case.
    assert not any(c.number in str(body) for c in cases)


@pytest.mark.django_db
def test_bubbles_follow_the_queue_filters_the_tallies_hold_and_those_they_do_not(
    personas: Personas, cases: list[Ticket], commune_a: AdminUnit
) -> None:
    admin = _client(personas.province_admin)
    user = personas.province_admin
    new = _get(admin, STAFF_MAP, bbox=PROVINCE, zoom=9, status="new")
    _assert_bubbles_are_true_counts(new, _true_counts(user, status="new"))
    accepted = _get(admin, STAFF_MAP, bbox=PROVINCE, zoom=9, status="accepted")
    _assert_bubbles_are_true_counts(accepted, Counter({commune_a.code: 1}))
    unrouted = _get(admin, STAFF_MAP, bbox=PROVINCE, zoom=9, unrouted="true")
    _assert_bubbles_are_true_counts(unrouted, _true_counts(user, department__isnull=True))
    in_a = _get(admin, STAFF_MAP, bbox=PROVINCE, zoom=9, commune=commune_a.code)
    _assert_bubbles_are_true_counts(in_a, Counter({commune_a.code: 3}))
    other = _get(admin, STAFF_MAP, bbox=PROVINCE, zoom=9, service="road_damage")
    _assert_bubbles_are_true_counts(other, Counter())
    # "Mine" is not in the tallies: counted from the queue's rows.
    officer = personas.officer_a
    mine = _get(_client(officer), STAFF_MAP, bbox=PROVINCE, zoom=9, mine="true")
    _assert_bubbles_are_true_counts(mine, _true_counts(officer, assignee=officer))
    assert mine["total"] == 1


@pytest.mark.django_db
def test_a_case_outside_the_scope_never_adds_to_a_bubble(
    personas: Personas, cases: list[Ticket], commune_a: AdminUnit, commune_b: AdminUnit
) -> None:
    officer = _client(personas.officer_a)
    assert _get(officer, STAFF_MAP, bbox=PROVINCE, zoom=9)["total"] == 3
    # More cases in commune B, and one in commune A that no department of
    # officer A handles (a help request: commune A has no service centre).
    for _ in range(3):
        case_in(commune_b, personas.resident)
    lat, lon = point_inside(commune_a)
    elsewhere = ticket_file(
        reporter=personas.resident,
        service=_help_service(),
        description="Xin hỏi thủ tục",
        lat=lat,
        lon=lon,
    ).ticket
    assert elsewhere.commune == commune_a
    assert elsewhere.department_id != cases[0].department_id
    for zoom in ZOOMS:
        after = _get(officer, STAFF_MAP, bbox=_bbox(zoom), zoom=zoom)
        assert after["total"] == 3
        _assert_bubbles_are_true_counts(after, Counter({commune_a.code: 3}))
    # Those who do handle it count it.
    leader = _get(_client(personas.leader_a), STAFF_MAP, bbox=PROVINCE, zoom=9)
    _assert_bubbles_are_true_counts(leader, Counter({commune_a.code: 4}))


def _help_service() -> Service:
    service = Service.objects.filter(kind=ServiceKind.HELP_REQUEST, is_active=True).first()
    assert service is not None
    return service


@pytest.mark.django_db
def test_street_zoom_sends_the_cases_in_the_box_and_only_the_persons_own(
    personas: Personas, cases: list[Ticket]
) -> None:
    in_a, in_b = cases[1], cases[3]
    assert in_a.location is not None
    assert in_b.location is not None
    box_a = _box_around(in_a.location.y, in_a.location.x)
    admin = _get(_client(personas.province_admin), STAFF_MAP, bbox=box_a, zoom=POINTS_ZOOM)
    numbers = {f["properties"]["number"] for f in admin["features"]}
    # Cases filed at the same point inside commune A all fall in the box.
    assert numbers == {c.number for c in cases[:3]}
    point = next(f for f in admin["features"] if f["properties"]["number"] == in_a.number)
    assert point["geometry"]["coordinates"] == pytest.approx([in_a.location.x, in_a.location.y])
    assert point["properties"]["url"] == f"/console/cases/{in_a.number}/"
    # Officer B's queue holds nothing there, and the box never widens a scope.
    officer_b = _get(_client(personas.officer_b), STAFF_MAP, bbox=box_a, zoom=16)
    assert officer_b["features"] == []
    assert officer_b["total"] == 0
    box_b = _box_around(in_b.location.y, in_b.location.x)
    officer_a = _get(_client(personas.officer_a), STAFF_MAP, bbox=box_b, zoom=16)
    assert officer_a["features"] == []
    assert in_b.number not in str(officer_a)


@pytest.mark.django_db
def test_street_zoom_counts_cells_when_the_box_holds_more_than_the_limit(
    personas: Personas, cases: list[Ticket], settings: Settings
) -> None:
    settings.QUEUE_MAP_LIMIT = 2
    location = cases[0].location
    assert location is not None
    box = _box_around(location.y, location.x)
    body = _get(_client(personas.province_admin), STAFF_MAP, bbox=box, zoom=POINTS_ZOOM)
    assert body["total"] == 3
    assert sum(b["count"] for b in _bubbles(body)) == 3
    assert len(_bubbles(body)) == len(body["features"])
    assert not any(c.number in str(body) for c in cases)


@pytest.mark.django_db
def test_the_public_map_counts_public_reports_only_and_never_exact_places(
    personas: Personas, cases: list[Ticket], commune_a: AdminUnit
) -> None:
    # Out of the public view: a rejected report, a help request, a hidden service.
    rejected = lifecycle.ticket_reject(ticket=cases[2], by=personas.officer_a, reason="Trùng")
    lat, lon = point_inside(commune_a)
    help_request = ticket_file(
        reporter=personas.resident,
        service=_help_service(),
        description="Xin hỏi thủ tục",
        lat=lat,
        lon=lon,
    ).ticket
    hidden = Service.objects.get(code="fallen_tree")
    Service.objects.filter(pk=hidden.pk).update(public_location=PublicLocation.HIDDEN)
    ticket_file(reporter=personas.resident, service=hidden, description="x", lat=lat, lon=lon)

    public = Counter(tickets_public().values_list("commune__code", flat=True))
    assert help_request.pk not in tickets_public().values_list("pk", flat=True)
    anonymous = _client(None)
    for zoom in ZOOMS:
        body = _get(anonymous, PUBLIC_MAP, bbox=_bbox(zoom), zoom=zoom)
        _assert_bubbles_are_true_counts(body, public)
    # At street zoom: each report at its public grid cell's centre, never its point.
    location = cases[0].location
    assert location is not None
    street = _get(anonymous, PUBLIC_MAP, bbox=_box_around(location.y, location.x), zoom=18)
    assert rejected.status == TicketStatus.REJECTED
    shown = [c for c in cases[:3] if c.pk != rejected.pk]
    centre = public_point(service=cases[0].service, point=location)
    assert centre is not None
    assert street["total"] == len(shown)
    # "reports", as the public page says throughout; the console's map says "cases".
    assert street["summary"] == f"{len(shown)} reports in this map area"
    for feature in street["features"]:
        assert feature["geometry"]["coordinates"] == pytest.approx([centre.x, centre.y])
    text = str(street)
    assert not any(c.number in text for c in cases)
    assert f"{location.x:.6f}" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("url", [STAFF_MAP, PUBLIC_MAP])
@pytest.mark.parametrize(
    ("bbox", "zoom", "code"),
    [
        ("", "9", "invalid_bbox"),
        ("1,2,3", "9", "invalid_bbox"),
        ("a,b,c,d", "9", "invalid_bbox"),
        ("nan,8,110,24", "9", "invalid_bbox"),
        ("102,8,inf,24", "9", "invalid_bbox"),
        ("110,8,102,24", "9", "invalid_bbox"),  # west after east
        ("102,24,110,8", "9", "invalid_bbox"),  # south above north
        ("0,0,200,10", "9", "invalid_bbox"),
        ("102,8,110,24,1", "9", "invalid_bbox"),
        (COUNTRY, "", "invalid_zoom"),
        (COUNTRY, "-1", "invalid_zoom"),
        (COUNTRY, "21", "invalid_zoom"),
        (COUNTRY, "9.5", "invalid_zoom"),
        (COUNTRY, "1e400", "invalid_zoom"),
        (COUNTRY, "x", "invalid_zoom"),
        # A whole country at street zoom is no screen's view.
        (COUNTRY, "16", "map_area_too_large"),
    ],
)
def test_a_bad_map_view_is_a_422_with_a_stable_code_in_the_persons_language(
    personas: Personas, url: str, bbox: str, zoom: str, code: str
) -> None:
    client = Client()  # Vietnamese, the default language
    client.force_login(personas.province_admin)
    response = client.get(url, {"bbox": bbox, "zoom": zoom})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    english = _client(personas.province_admin).get(url, {"bbox": bbox, "zoom": zoom}).json()
    assert english["code"] == code
    assert body["message"] != english["message"]  # translated, not the msgid


@pytest.mark.django_db
def test_the_staff_map_needs_a_signed_in_person() -> None:
    response = Client().get(STAFF_MAP, {"bbox": PROVINCE, "zoom": "9"})
    assert response.status_code == 401
