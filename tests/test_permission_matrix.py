"""The permission matrix: each persona × every page and API operation, with the exact
status and no sight of a case outside the persona's scope (issue 11).

The table is tests/permission_rows.py. Completeness is checked here against the
URL resolver and the OpenAPI schema, so a new route without a row fails.

Speed: one test per persona builds the world once; each row runs in a savepoint
that is rolled back, so a row's writes (an accepted case, a read notification,
a logout) never leak into the next row.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role, User
from config.api import api
from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing import CaseDraft, case_submit
from helpdesk.models import Attachment, Department, DepartmentMembership, DepartmentType, Ticket
from notifications.services import Message, notifications_send
from tests import factories
from tests.conftest import Personas
from tests.knowledge.articles import VNEID_ACTIVATION
from tests.permission_rows import API_ROWS, PAGE_ROWS, PERSONAS, Row, State

# Not per-person endpoints, so not in the table:
PAGE_EXEMPT_PREFIXES = (
    "admin/",  # the Django admin: staff superusers only, tests/config/test_admin.py
    "api/v1/",  # API operations: checked against the OpenAPI schema below
    "healthz",  # service status, the same for everyone (tests/config/test_health.py)
    "i18n/",  # the language switch, a cookie for whoever asks
    "static/",  # collected files, when DEBUG serves them
    "media/",
)
API_ROUTES_NOT_OPERATIONS = (
    "api/v1/",  # ninja's root
    "api/v1/docs",  # the OpenAPI docs page and its schema: public documentation
    "api/v1/openapi.json",
)

# Plain ASCII, so it is found in JSON bodies (which escape other characters) too.
DESCRIPTION = "Den duong tat ca tuan MATRIX-7F3A"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


# --- Completeness -----------------------------------------------------------------


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def _shape(route: str) -> str:
    """A route with its parameters blanked: ``cases/<number>`` and ``cases/{number}`` agree."""
    return _PARAMETER.sub("{}", route)


def test_every_page_route_has_a_row_and_every_row_a_route() -> None:
    routes = {
        route
        for route in _routes(get_resolver().url_patterns)
        if not route.startswith(PAGE_EXEMPT_PREFIXES)
    }
    rows = {row.route for row in PAGE_ROWS}
    assert sorted(routes - rows) == [], "pages missing from tests/permission_rows.py"
    assert sorted(rows - routes) == [], "rows of pages that no longer exist"


def test_every_api_operation_has_a_row_and_every_row_an_operation() -> None:
    paths = api.get_openapi_schema()["paths"]
    operations = {(method.upper(), path) for path, item in paths.items() for method in item}
    rows = {(row.method, row.route) for row in API_ROWS}
    assert sorted(operations - rows) == [], "API operations missing from tests/permission_rows.py"
    assert sorted(rows - operations) == [], "rows of API operations that no longer exist"


def test_every_api_route_is_in_the_schema() -> None:
    # An operation left out of the schema (include_in_schema=False) would also
    # be left out of the matrix: the resolver's API routes must all be there.
    schema_shapes = {_shape(path) for path in api.get_openapi_schema()["paths"]}
    api_routes = {
        route
        for route in _routes(get_resolver().url_patterns)
        if route.startswith("api/v1/") and route not in API_ROUTES_NOT_OPERATIONS
    }
    assert sorted(r for r in api_routes if _shape("/" + r) not in schema_shapes) == []


def test_rows_are_unique_and_name_every_persona() -> None:
    keys = [(row.method, row.route) for row in (*API_ROWS, *PAGE_ROWS)]
    assert len(keys) == len(set(keys))
    for row in (*API_ROWS, *PAGE_ROWS):
        assert set(row.expect) == set(PERSONAS), row.route
        assert set(row.reveals) <= set(PERSONAS), row.route


# --- The world every row runs against ---------------------------------------------


@dataclass(frozen=True)
class World:
    users: dict[str, User | None]
    values: dict[str, object]
    case_a: Ticket
    commune_a_name: str


def _case(
    reporter: User, commune: AdminUnit, description: str, photos: int = 0, voice: bool = False
) -> Ticket:
    lat, lon = factories.point_inside(commune)
    draft = CaseDraft(
        service_code="streetlight_out",
        description=description,
        lat=lat,
        lon=lon,
        photos=tuple(factories.jpeg() for _ in range(photos)),
        voice=factories.voice_note() if voice else None,
    )
    return case_submit(reporter=reporter, draft=draft).ticket


@pytest.fixture
def world(personas: Personas, commune_a: AdminUnit, commune_b: AdminUnit, superuser: User) -> World:
    resident_b = factories.user_create(full_name="Ngô Văn Bình")
    officer_other_dept = factories.user_create(full_name="Bùi Thị Hoa")
    factories.role_grant(
        user=officer_other_dept,
        role=Role.OFFICER,
        unit=commune_a,
        departments=(
            factories.department_create(
                commune=commune_a, department_type=DepartmentType.CULTURE_SOCIETY
            ),
        ),
    )
    province_admin_other = factories.user_create(full_name="Lý Văn Sơn")
    factories.role_grant(
        user=province_admin_other,
        role=Role.PROVINCE_ADMIN,
        unit=factories.province_get(code="20"),
    )
    case_a = _case(personas.resident, commune_a, DESCRIPTION, photos=1, voice=True)
    assert case_a.department is not None
    assert DepartmentMembership.objects.filter(
        department=case_a.department, user=personas.officer_a
    ).exists()
    # The case a duplicate points to: the reporter's own, so only the scope decides.
    earlier = _case(personas.resident, commune_a, "Den tat tu tuan truoc")
    # Commune B's lists are not empty, so "no row of case A" is not "no rows at all".
    _case(resident_b, commune_b, "Den tat o xa B")
    (notification,) = notifications_send(
        recipient_ids=[personas.resident.pk],
        message=Message(
            texts={"vi": (f"Hồ sơ {case_a.number} đã được tiếp nhận", "Cảm ơn bạn.")},
            dedupe_key=f"matrix-{case_a.number}",
            link=f"/cases/{case_a.number}/",
        ),
    )
    lat, lon = factories.point_inside(commune_a)
    other_department = Department.objects.get(
        commune=commune_b, department_type=DepartmentType.PUBLIC_SERVICE_CENTRE
    )
    users: dict[str, User | None] = {
        "anonymous": None,
        "resident_a": personas.resident,
        "resident_b": resident_b,
        "team_member": personas.digital_team,
        "officer_a": personas.officer_a,
        "officer_other_dept": officer_other_dept,
        "officer_b": personas.officer_b,
        "leader_a": personas.leader_a,
        "province_admin": personas.province_admin,
        "province_admin_other": province_admin_other,
        "superuser": superuser,
    }
    assert set(users) == set(PERSONAS)
    values: dict[str, object] = {
        "number": case_a.number,
        "public_id": case_a.public_id,
        "photo_id": case_a.attachments.get(role=Attachment.Role.REPORT).pk,
        "attachment_id": case_a.attachments.get(role=Attachment.Role.REPORT).pk,
        "voice_id": case_a.attachments.get(role=Attachment.Role.VOICE).pk,
        "notification_id": notification.pk,
        "slug": VNEID_ACTIVATION,
        "lat": lat,
        "lon": lon,
        "officer_a_phone": personas.officer_a.phone,
        "earlier_number": earlier.number,
        "service_request_id": case_a.public_id,
        "other_department_id": other_department.pk,
        "lang": "vi",
        "version": "0",  # an old version: still answered, with today's texts
    }
    return World(users, values, case_a, commune_a.name)


def _fill_text(text: str, values: dict[str, object]) -> str:
    return _PARAMETER.sub(lambda m: str(values[m.group(1) or m.group(2)]), text)


def _fill(data: object, values: dict[str, object]) -> object:
    """Fixture values into a request body; a whole ``"{name}"`` keeps the value's type."""
    if isinstance(data, dict):
        return {key: _fill(value, values) for key, value in data.items()}
    if isinstance(data, list):
        return [_fill(value, values) for value in data]
    if isinstance(data, str):
        whole = re.fullmatch(r"\{(\w+)\}", data)
        return values[whole.group(1)] if whole else _fill_text(data, values)
    return data


def _prepare(state: State, world: World, officer: User) -> None:
    steps = {
        "new": (),
        "accepted": ("accept",),
        "in_progress": ("accept", "start"),
        "resolved": ("accept", "start", "resolve"),
    }[state]
    for step in steps:
        ticket = Ticket.objects.get(pk=world.case_a.pk)
        if step == "accept":
            lifecycle.ticket_accept(ticket=ticket, by=officer)
        elif step == "start":
            lifecycle.ticket_start(ticket=ticket, by=officer)
        else:
            lifecycle.ticket_resolve(
                ticket=ticket, by=officer, note="Đã thay bóng đèn", photos=[factories.jpeg()]
            )


def _send(client: Client, row: Row, world: World) -> HttpResponseBase:
    is_api = row.route.startswith("/api/")
    path = _fill_text(row.route if is_api else "/" + row.route, {**world.values, **row.params})
    if row.query:
        path += "?" + _fill_text(row.query, world.values)
    data = _fill(row.data, world.values) if row.data is not None else None
    method = getattr(client, row.method.lower())
    if row.json:
        response: HttpResponseBase = method(
            path, data=json.dumps(data), content_type="application/json"
        )
    elif data is not None:
        response = method(path, data=data)
    else:
        response = method(path)
    return response


def _body(response: HttpResponseBase) -> str:
    if response.streaming:  # a photo: bytes, not text
        return ""
    content: bytes = response.content  # type: ignore[attr-defined]
    return content.decode(errors="replace")


def _problems(row: Row, persona: str, response: HttpResponseBase, world: World) -> list[str]:
    label = f"{row.method} {row.route}"
    problems = []
    expected = row.expect[persona]
    if response.status_code != expected:
        problems.append(f"{label}: expected {expected}, got {response.status_code}")
    body = _body(response)
    number = world.case_a.number
    marker = world.commune_a_name if row.marker == "commune" else number
    success = 200 <= response.status_code < 300
    about_case_a = "number" in row.route
    if success and persona in row.reveals:
        if marker not in body:
            problems.append(f"{label}: case A is missing from the answer")
    elif not (success and about_case_a):
        if DESCRIPTION in body and not row.public_view:
            problems.append(f"{label}: case A's description is in the answer")
        # Error pages may echo the path the person typed; a 2xx must not name it.
        if success and (number in body or marker in body):
            problems.append(f"{label}: case A is named in the answer")
    prefix = row.location.get(persona)
    if prefix is not None and not response.get("Location", "").startswith(prefix):
        problems.append(f"{label}: redirected to {response.get('Location')!r}, not {prefix}")
    return problems


def _client(session_key: str | None) -> Client:
    client = Client()
    if session_key is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_its_status_and_nothing_out_of_scope(
    world: World, persona: str
) -> None:
    user = world.users[persona]
    session_key = None
    if user is not None:
        login = Client()
        login.force_login(user)
        session_key = login.cookies[settings.SESSION_COOKIE_NAME].value
    officer = world.users["officer_a"]
    assert officer is not None
    problems: list[str] = []
    for row in (*API_ROWS, *PAGE_ROWS):
        response: Any = None
        with transaction.atomic():
            _prepare(row.state, world, officer)
            try:
                response = _send(_client(session_key), row, world)
            except Exception as exc:  # noqa: BLE001 - every row is reported, not the first
                problems.append(f"{row.method} {row.route}: raised {exc!r}")
            transaction.set_rollback(True)
        if response is not None:
            problems.extend(_problems(row, persona, response, world))
    assert not problems, "\n".join(problems)
