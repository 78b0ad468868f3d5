"""GeoReport v2, method by method, as the specification text states it.

Each test names the rule it checks. Both formats are checked wherever the
answer has a shape: XML by parsing it (the spec's element names), JSON by
reading it.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from geo.models import AdminUnit
from helpdesk import lifecycle
from helpdesk.filing_errors import PhotoRequired
from helpdesk.models import Service, Ticket
from helpdesk.public_view import public_point
from open311.models import ClientFiling, ServiceAttribute
from tests import factories
from tests.conftest import Personas
from tests.open311.conftest import BASE, App, errors, file_request, xml

pytestmark = pytest.mark.django_db
FORMATS = ("json", "xml")
# ISO 8601 with the time zone, which the spec requires of every date and time.
W3_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def get(path: str, fmt: str = "json", **query: str) -> Any:
    return Client().get(f"{BASE}/{path}.{fmt}", query)


def ids(response: Any, fmt: str = "json") -> list[str]:
    if fmt == "json":
        return [r["service_request_id"] for r in response.json()]
    root = xml(response)
    assert root.tag == "service_requests"
    return [r.findtext("service_request_id") or "" for r in root.findall("request")]


def filed(app: App, commune: AdminUnit, **fields: Any) -> str:
    response = file_request(app, commune, **fields)
    assert response.status_code == 201, response.content
    return str(response.json()[0]["service_request_id"])


def age(public_id: str, *, days: float) -> None:
    """Move a case's filing time back (the clock, not a code path)."""
    moment = timezone.now() - timedelta(days=days)
    Ticket.objects.filter(public_id=public_id).update(created_at=moment, updated_at=moment)


@pytest.fixture
def pothole_size(db: None) -> ServiceAttribute:
    return ServiceAttribute.objects.create(
        service=Service.objects.get(code="streetlight_out"),
        code="pole_number",
        datatype=ServiceAttribute.Datatype.SINGLEVALUELIST,
        required=True,
        description="Cột đèn số mấy?",
        description_en="Which pole?",
        order=1,
        values=[
            {"key": "p1", "name": "Cột 1", "name_en": "Pole 1"},
            {"key": "p2", "name": "Cột 2"},
        ],
    )


# --- Service discovery ----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_the_v2_endpoint_with_both_formats(fmt: str) -> None:
    response = get("discovery", fmt)
    assert response.status_code == 200
    if fmt == "json":
        (endpoint,) = response.json()["endpoints"]
        formats = endpoint["formats"]
    else:
        root = xml(response)
        assert root.tag == "discovery"
        endpoint = {child.tag: child.text for child in root.find("endpoints/endpoint")}  # type: ignore[union-attr]
        formats = [f.text for f in root.findall("endpoints/endpoint/formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert W3_DATETIME.match(endpoint["changeset"])
    assert formats == ["text/xml", "application/json"]


# --- GET Service List -----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list_has_every_active_service_with_its_metadata_flag(
    fmt: str, pothole_size: ServiceAttribute
) -> None:
    Service.objects.filter(code="fallen_tree").update(is_active=False)
    response = get("services", fmt)
    assert response.status_code == 200
    if fmt == "json":
        services = {s["service_code"]: s for s in response.json()}
        metadata = {code: s["metadata"] for code, s in services.items()}
        kinds = {s["type"] for s in services.values()}
    else:
        root = xml(response)
        assert root.tag == "services"
        services = {s.findtext("service_code"): s for s in root.findall("service")}
        metadata = {code: s.findtext("metadata") == "true" for code, s in services.items()}
        kinds = {s.findtext("type") for s in services.values()}
    active = set(Service.objects.filter(is_active=True).values_list("code", flat=True))
    assert set(services) == active
    assert "fallen_tree" not in services
    assert metadata["streetlight_out"] is True  # its question
    assert metadata["road_damage"] is True  # its photo notice
    assert metadata["water_supply"] is False
    assert kinds == {"realtime"}


def test_service_names_follow_the_request_language() -> None:
    english = Client().get(f"{BASE}/services.json", headers={"Accept-Language": "en"})
    names = {s["service_code"]: s["service_name"] for s in english.json()}
    assert names["road_damage"] == "Road damage or pothole"
    vietnamese = {s["service_code"]: s["service_name"] for s in get("services").json()}
    assert vietnamese["road_damage"] == "Đường hư hỏng, ổ gà"


# --- GET Service Definition -----------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_types_each_attribute_and_lists_its_values(
    fmt: str, pothole_size: ServiceAttribute
) -> None:
    response = get("services/streetlight_out", fmt)
    assert response.status_code == 200
    if fmt == "json":
        body = response.json()
        (attribute,) = body["attributes"]
        code = body["service_code"]
    else:
        root = xml(response)
        assert root.tag == "service_definition"
        code = root.findtext("service_code")
        node = root.find("attributes/attribute")
        assert node is not None
        attribute = {child.tag: child.text for child in node if child.tag != "values"}
        attribute["values"] = [
            {"key": v.findtext("key"), "name": v.findtext("name")}
            for v in node.findall("values/value")
        ]
        attribute["required"] = attribute["required"] == "true"
        attribute["variable"] = attribute["variable"] == "true"
        attribute["order"] = int(attribute["order"])
    assert code == "streetlight_out"
    assert attribute["code"] == "pole_number"
    assert attribute["datatype"] == "singlevaluelist"
    assert attribute["required"] is True
    assert attribute["variable"] is True
    assert attribute["order"] == 1
    assert attribute["description"] == "Cột đèn số mấy?"
    assert attribute["values"] == [{"key": "p1", "name": "Cột 1"}, {"key": "p2", "name": "Cột 2"}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_code_or_jurisdiction_is_404(fmt: str) -> None:
    assert errors(get("services/no_such_service", fmt), fmt)[0][0] == 404
    response = get("services/road_damage", fmt, jurisdiction_id="99")
    assert response.status_code == 404
    assert errors(response, fmt)[0][0] == 404
    assert get("services", fmt, jurisdiction_id="99").status_code == 404
    assert get("services", fmt, jurisdiction_id="19").status_code == 200


# --- POST Service Request -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_returns_the_new_request_id_and_no_token(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """The spec: service_request_id "should not be returned if token is
    returned", and token "should not be returned if service_request_id is
    returned". The id is known at once, so it is the one."""
    response = file_request(app, commune_a, fmt=fmt)
    assert response.status_code == 201
    if fmt == "json":
        (body,) = response.json()
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        (node,) = root.findall("request")
        body = {child.tag: child.text for child in node}
    ticket = Ticket.objects.get(public_id=body["service_request_id"])
    assert ticket.reporter == app.operator
    assert ticket.commune == commune_a
    assert ticket.department is not None
    assert "token" not in body


# What each refused POST changes from a good one, and the status the spec gives it.
REFUSALS: list[tuple[dict[str, Any], int]] = [
    ({"api_key": None}, 403),
    ({"api_key": ""}, 403),
    ({"api_key": "x311_not-a-key"}, 403),
    ({"service_code": None}, 400),
    ({"service_code": ""}, 400),
    ({"service_code": "no_such_service"}, 404),
    ({"lat": None, "long": None}, 400),
    ({"lat": "", "long": ""}, 400),
    ({"long": None}, 400),
    ({"lat": "north"}, 400),
    ({"lat": "95"}, 400),
    ({"lat": "48.85", "long": "2.35"}, 400),  # Paris: outside every commune's reach
    ({"email": "not an address"}, 400),
    ({"media_url": "file:///etc/passwd"}, 400),
    ({"jurisdiction_id": "99"}, 404),
    ({"jurisdiction_id": "20"}, 400),  # the point is in Thái Nguyên (19), not Lạng Sơn
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_errors_are_the_spec_error_list(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    for change, status in REFUSALS:
        response = file_request(app, commune_a, fmt=fmt, **change)
        assert response.status_code == status, change
        ((code, description),) = errors(response, fmt)
        assert code == status
        assert description
    assert not Ticket.objects.exists()


def test_a_post_with_one_field_twice_differently_is_400_and_files_nothing(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = factories.point_inside(commune_a)
    good = f"service_code=streetlight_out&lat={lat}&long={lon}"
    form = "application/x-www-form-urlencoded"
    english = {"Accept-Language": "en"}

    def post(query: str, body: str) -> Any:
        return Client().post(f"{BASE}/requests.json{query}", body, form, headers=english)

    repeated = "The parameter {} was sent more than once with different values. Send it once."
    for query, body, name in [
        ("", f"{good}&api_key={app.key}&description=A&description=B", "description"),
        ("", f"{good}&api_key={app.key}&lat=21.1", "lat"),
        # The key in the body and another in the query: neither is guessed.
        ("?api_key=x311_other", f"{good}&api_key={app.key}", "api_key"),
        ("?jurisdiction_id=20", f"{good}&api_key={app.key}&jurisdiction_id=19", "jurisdiction_id"),
    ]:
        response = post(query, body)
        assert errors(response, "json") == [(400, repeated.format(name))], name
    assert not Ticket.objects.exists()
    # The same key in both places, or in the query alone, is that key.
    assert post(f"?api_key={app.key}", f"{good}&api_key={app.key}").status_code == 201
    assert post(f"?api_key={app.key}&jurisdiction_id=19", good).status_code == 201
    assert Ticket.objects.count() == 2


def test_post_by_address_string_only_files_a_service_that_needs_no_point(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    refused = file_request(
        app, commune_a, lat=None, long=None, address_string="Cầu Gia Bảy, Phan Đình Phùng"
    )
    assert refused.status_code == 400  # a streetlight needs its place
    assert refused.json()[0]["description"]
    accepted = file_request(
        app,
        commune_a,
        lat=None,
        long=None,
        address_string="Tổ 5, Phan Đình Phùng",
        service_code="help_other",
        description="Hỏi về thủ tục",
    )
    assert accepted.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.address_text == "Tổ 5, Phan Đình Phùng"
    assert ticket.location is None


def test_post_answers_are_checked_against_the_definition_and_kept_with_the_case(
    app: App, personas: Personas, commune_a: AdminUnit, pothole_size: ServiceAttribute
) -> None:
    assert file_request(app, commune_a).status_code == 400  # required, not answered
    wrong: dict[str, Any] = {"attribute[pole_number]": "p9"}
    assert file_request(app, commune_a, **wrong).status_code == 400
    right: dict[str, Any] = {"attribute[pole_number]": "p2"}
    response = file_request(app, commune_a, **right)
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.description == "Den duong hong\n\nCột đèn số mấy?: Cột 2"
    assert ticket.open311.attributes == {"pole_number": ["p2"]}


def test_post_with_photos_runs_them_through_the_photo_pipeline(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = factories.point_inside(commune_a)
    photo = factories.jpeg(gps=(lat, lon))
    response = Client().post(
        f"{BASE}/requests.json",
        {
            "api_key": app.key,
            "service_code": "road_damage",
            "lat": lat,
            "long": lon,
            "media": [_upload(photo)],
        },
    )
    assert response.status_code == 201, response.content
    (attachment,) = Ticket.objects.get().attachments.all()
    assert attachment.sha256  # processed: resized, metadata stripped
    assert attachment.public_approved_at is None


def test_media_sent_as_text_is_refused_not_dropped(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """A `media` part without a filename is text: the request must not be filed
    without the photo the app meant to send (core.api_fields.uploads_of)."""
    response = file_request(app, commune_a, media="-3.4e39")
    assert response.status_code == 400, response.content
    assert response.json()[0]["code"] == 400
    assert "chọn lại ảnh" in response.json()[0]["description"]
    assert not Ticket.objects.exists()


def test_media_url_is_kept_as_a_link_and_never_fetched(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    # An address only this machine could reach: nothing may open it.
    url = "http://169.254.169.254/latest/meta-data/photo.jpg"
    response = file_request(app, commune_a, media_url=url)
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.open311.media_url == url
    assert not ticket.attachments.exists()


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


# --- GET service_request_id from a token ----------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_gives_the_request_id_and_an_unknown_token_is_404(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """A POST no longer answers a token, but those answered before still work."""
    body = file_request(app, commune_a).json()[0]
    token = ClientFiling.objects.get(ticket__public_id=body["service_request_id"]).token
    response = get(f"tokens/{token}", fmt)
    assert response.status_code == 200
    assert ids(response, fmt) == [body["service_request_id"]]
    assert errors(get("tokens/nope", fmt), fmt)[0][0] == 404


# --- GET Service Requests -------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_default_to_the_last_90_days(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    recent, old = filed(app, commune_a), filed(app, commune_a, description="cu")
    age(old, days=91)
    assert ids(get("requests", fmt), fmt) == [recent]


@pytest.mark.parametrize("fmt", FORMATS)
def test_dates_more_than_90_days_apart_or_reversed_are_400(fmt: str) -> None:
    too_long = get(
        "requests", fmt, start_date="2026-01-01T00:00:00Z", end_date="2026-04-02T00:00:00Z"
    )
    assert errors(too_long, fmt)[0][0] == 400
    reversed_ = get(
        "requests", fmt, start_date="2026-03-01T00:00:00Z", end_date="2026-02-01T00:00:00Z"
    )
    assert errors(reversed_, fmt)[0][0] == 400
    ok = get("requests", fmt, start_date="2026-01-01T00:00:00Z", end_date="2026-03-31T00:00:00Z")
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "value",
    ["2026-12-01", "2026-12-01T08:00:00", "01/12/2026", "2026-12-01T08:00:00 +07:00", "yesterday"],
)
def test_a_date_without_its_time_zone_is_400(value: str) -> None:
    response = get("requests", start_date=value)
    assert response.status_code == 400
    assert (
        "ISO 8601"
        in Client()
        .get(f"{BASE}/requests.json", {"start_date": value}, headers={"Accept-Language": "en"})
        .json()[0]["description"]
    )


def test_dates_with_z_or_an_offset_are_the_same_instant(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)
    ticket = Ticket.objects.get(public_id=public_id)
    start = ticket.created_at - timedelta(minutes=5)
    in_utc = start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    in_hanoi = (start + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    assert ids(get("requests", start_date=in_utc)) == [public_id]
    assert ids(get("requests", start_date=in_hanoi)) == [public_id]
    later = (ticket.created_at + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert ids(get("requests", start_date=later)) == []


def test_an_empty_parameter_is_a_missing_parameter(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)
    empty = get(
        "requests",
        service_request_id="",
        service_code="",
        status="",
        start_date="",
        end_date="",
        jurisdiction_id="",
        page="",
        page_size="",
        updated_after="",
    )
    assert empty.status_code == 200
    assert ids(empty) == [public_id]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_request_id_list_overrides_every_other_filter(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    first, second, third = (filed(app, commune_a, description=str(n)) for n in range(3))
    age(first, days=200)
    response = get(
        "requests",
        fmt,
        service_request_id=f"{first}, {second},unknown",
        service_code="road_damage",
        status="closed",
        start_date="2020-01-01T00:00:00Z",
        end_date="2020-01-02T00:00:00Z",
    )
    assert response.status_code == 200
    assert sorted(ids(response, fmt)) == sorted([first, second])
    assert third not in ids(response, fmt)


def test_service_code_and_status_take_comma_separated_lists(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    light = filed(app, commune_a)
    tree = filed(app, commune_a, service_code="water_supply", description="Mat nuoc")
    help_ = filed(app, commune_a, service_code="help_other", description="Hoi")
    lifecycle.ticket_reject(
        ticket=Ticket.objects.get(public_id=tree), by=personas.province_admin, reason="Trùng"
    )
    both = set(ids(get("requests", service_code="streetlight_out,water_supply", api_key=app.key)))
    assert both == {light, tree}
    assert ids(get("requests", status="closed", api_key=app.key)) == [tree]
    assert set(ids(get("requests", status="open", api_key=app.key))) == {light, help_}
    assert len(ids(get("requests", status="open,closed", api_key=app.key))) == 3
    assert get("requests", status="fixed").status_code == 400


def test_a_list_parameter_sent_twice_is_read_whole(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    """``status=open&status=closed`` is both, as ``status=open,closed`` is; Django's
    QueryDict.get would have kept the last one only."""
    light = filed(app, commune_a)
    tree = filed(app, commune_a, service_code="water_supply", description="Mat nuoc")
    lifecycle.ticket_reject(
        ticket=Ticket.objects.get(public_id=tree), by=personas.province_admin, reason="Trùng"
    )
    both = Client().get(f"{BASE}/requests.json?status=open&status=closed&api_key={app.key}")
    assert set(ids(both)) == {light, tree}
    codes = (
        f"service_code=streetlight_out&service_code=water_supply,streetlight_out&api_key={app.key}"
    )
    assert set(ids(Client().get(f"{BASE}/requests.json?{codes}"))) == {light, tree}
    named = Client().get(
        f"{BASE}/requests.json?service_request_id={light}&service_request_id={tree}"
        f"&api_key={app.key}"
    )
    assert sorted(ids(named)) == sorted([light, tree])
    # One value, however often it is sent, is that value.
    same = Client().get(f"{BASE}/requests.json?status=closed&status=closed&api_key={app.key}")
    assert ids(same) == [tree]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("requests", "jurisdiction_id=19&jurisdiction_id=20"),
        ("services", "jurisdiction_id=19&jurisdiction_id=20"),
        ("requests", "page=1&page=2"),
        ("requests", "start_date=2026-01-01T00:00Z&start_date=2026-02-01T00:00Z"),
    ],
)
def test_a_single_value_sent_twice_differently_is_400_not_guessed(
    fmt: str, path: str, query: str
) -> None:
    response = Client().get(f"{BASE}/{path}.{fmt}?{query}", headers={"Accept-Language": "en"})
    name = query.split("=", 1)[0]
    assert errors(response, fmt) == [
        (400, f"The parameter {name} was sent more than once with different values. Send it once.")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_field_of_a_request_and_dates_with_their_time_zone(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)
    response = get(f"requests/{public_id}", fmt)
    assert response.status_code == 200
    if fmt == "json":
        (body,) = response.json()
    else:
        (node,) = xml(response).findall("request")
        body = {child.tag: child.text or "" for child in node}
    ticket = Ticket.objects.select_related("department", "service").get(public_id=public_id)
    assert body["service_request_id"] == public_id
    assert body["status"] == "open"
    assert body["status_notes"] == "Mới"
    assert body["service_code"] == "streetlight_out"
    assert body["service_name"] == "Đèn đường hỏng"
    assert body["agency_responsible"] == ticket.department.name  # type: ignore[union-attr]
    assert body["address"] == commune_a.full_name
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3_DATETIME.match(body[name]), (name, body[name])
    shown = public_point(service=ticket.service, point=ticket.location)
    assert shown is not None
    assert (float(body["lat"]), float(body["long"])) == (shown.y, shown.x)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_that_does_not_exist_is_404(fmt: str) -> None:
    response = get("requests/doesnotexist", fmt)
    assert response.status_code == 404
    assert errors(response, fmt)[0][0] == 404


def test_lifecycle_maps_to_open_or_closed_with_the_detail_in_status_notes(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)
    ticket = Ticket.objects.get(public_id=public_id)
    seen = []
    for step in ("accept", "start", "resolve"):
        ticket = Ticket.objects.get(pk=ticket.pk)
        if step == "accept":
            lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
        elif step == "start":
            lifecycle.ticket_start(ticket=ticket, by=personas.officer_a)
        else:
            lifecycle.ticket_resolve(ticket=ticket, by=personas.officer_a, note="Đã thay bóng")
        (body,) = get(f"requests/{public_id}").json()
        seen.append((body["status"], body["status_notes"], body["external_status_code"]))
    assert seen == [
        ("open", "Đã tiếp nhận", "accepted"),
        ("open", "Đang xử lý", "in_progress"),
        ("closed", "Đã giải quyết", "resolved"),
    ]


def test_jurisdiction_id_is_a_province_code(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)
    assert ids(get("requests", jurisdiction_id="19")) == [public_id]
    assert ids(get("requests", jurisdiction_id="20")) == []
    assert get("requests", jurisdiction_id="99").status_code == 404
    assert get(f"requests/{public_id}", jurisdiction_id="20").status_code == 404


def test_no_more_than_1000_rows_and_pages_beyond(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    template = Ticket.objects.get(public_id=filed(app, commune_a))
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            number=f"T-{n}",
            kind=template.kind,
            service_id=template.service_id,
            status=template.status,
            reporter_id=template.reporter_id,
            province_id=template.province_id,
            commune_id=template.commune_id,
            location=template.location,
            created_at=now - timedelta(seconds=n),
            updated_at=now,
        )
        for n in range(1, 1001)
    )
    first = get("requests")
    assert len(ids(first)) == 1000
    assert ids(first)[0] == template.public_id  # newest first
    assert len(ids(get("requests", page="2"))) == 1
    assert len(ids(get("requests", page_size="10", page="3"))) == 10
    assert get("requests", page_size="1001").status_code == 400
    assert get("requests", page_size="0").status_code == 400


def test_updated_after_lists_what_changed_oldest_change_first(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    older, newer = filed(app, commune_a, description="1"), filed(app, commune_a, description="2")
    age(older, days=200)  # a back office follows old cases too
    since = timezone.now()
    assert ids(get("requests", updated_after=since.isoformat())) == []
    lifecycle.ticket_accept(ticket=Ticket.objects.get(public_id=newer), by=personas.officer_a)
    lifecycle.ticket_accept(ticket=Ticket.objects.get(public_id=older), by=personas.officer_a)
    assert ids(get("requests", updated_after=since.isoformat())) == [newer, older]


# --- Methods and the update feed ---------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_methods_are_405_in_the_error_format(fmt: str) -> None:
    response = Client().delete(f"{BASE}/requests.{fmt}")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert errors(response, fmt)[0][0] == 405
    assert Client().post(f"{BASE}/services.{fmt}").status_code == 405


@pytest.mark.parametrize("fmt", FORMATS)
def test_update_feed_follows_status_changes_and_officers_answers(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)
    ticket = Ticket.objects.get(public_id=public_id)
    lifecycle.ticket_accept(ticket=ticket, by=personas.officer_a)
    lifecycle.ticket_reply(
        ticket=ticket, by=personas.officer_a, body="Ghi chú nội bộ", internal=True
    )
    lifecycle.ticket_reply(ticket=ticket, by=personas.officer_a, body="Tuần sau sẽ thay")
    lifecycle.ticket_reply(ticket=ticket, by=app.operator, body="Cảm ơn")  # the reporter's own
    lifecycle.ticket_resolve(
        ticket=Ticket.objects.get(pk=ticket.pk), by=personas.officer_a, note="Đã thay"
    )
    response = get("servicerequestupdates", fmt)
    assert response.status_code == 200
    if fmt == "json":
        updates = response.json()
    else:
        root = xml(response)
        assert root.tag == "service_request_updates"
        updates = [{c.tag: c.text or "" for c in u} for u in root.findall("request_update")]
    assert [(u["status"], u["external_status_code"], u["description"]) for u in updates] == [
        ("open", "accepted", "Đã tiếp nhận"),
        ("open", "accepted", "Tuần sau sẽ thay"),
        ("closed", "resolved", "Đã thay"),
    ]
    assert {u["service_request_id"] for u in updates} == {public_id}
    assert all(W3_DATETIME.match(u["updated_datetime"]) for u in updates)
    ids_ = [int(u["update_id"]) for u in updates]
    assert ids_ == sorted(ids_)
    assert (
        get("servicerequestupdates", fmt, start_date="2020-01-01T00:00:00Z").content.count(
            b"update_id"
        )
        == 0
    )


def test_update_feed_keeps_the_90_day_rule() -> None:
    response = get(
        "servicerequestupdates", start_date="2026-01-01T00:00:00Z", end_date="2026-06-01T00:00:00Z"
    )
    assert response.status_code == 400


def test_error_descriptions_are_in_the_request_s_language(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    vietnamese = file_request(app, commune_a, service_code="")
    assert vietnamese.json() == [{"code": 400, "description": "Thiếu tham số service_code."}]
    english = file_request(app, commune_a, service_code="", headers={"Accept-Language": "en"})
    assert english.json() == [
        {"code": 400, "description": "The parameter service_code is required."}
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_with_too_many_files_is_refused_in_the_error_format(fmt: str, app: App) -> None:
    photos = [_upload(b"x") for _ in range(11)]
    response = Client().post(f"{BASE}/requests.{fmt}", {"api_key": app.key, "media": photos})
    assert response.status_code == 413
    assert errors(response, fmt)[0][0] == 413


# --- Services that need a photo --------------------------------------------------

PHOTO_SENTENCE_EN = (
    "A photo is required: upload at least one as the field media of a "
    "multipart/form-data POST. A media_url alone is not enough."
)
PHOTO_SENTENCE_VI = (
    "Cần có ảnh: tải lên ít nhất một ảnh trong trường media của một yêu cầu POST "
    "multipart/form-data. Chỉ gửi media_url là chưa đủ."
)


def _services(fmt: str, language: str) -> dict[str, dict[str, Any]]:
    response = Client().get(f"{BASE}/services.{fmt}", headers={"Accept-Language": language})
    assert response.status_code == 200
    if fmt == "json":
        return {s["service_code"]: s for s in response.json()}
    listed = {}
    for node in xml(response).findall("service"):
        service: dict[str, Any] = {child.tag: child.text or "" for child in node}
        service["metadata"] = service["metadata"] == "true"
        listed[service["service_code"]] = service
    return listed


def _attributes(code: str, fmt: str, language: str = "en") -> list[dict[str, Any]]:
    response = Client().get(f"{BASE}/services/{code}.{fmt}", headers={"Accept-Language": language})
    assert response.status_code == 200
    if fmt == "json":
        return list(response.json()["attributes"])
    found = []
    for node in xml(response).findall("attributes/attribute"):
        attribute: dict[str, Any] = {child.tag: child.text or "" for child in node}
        attribute["variable"] = attribute["variable"] == "true"
        attribute["required"] = attribute["required"] == "true"
        attribute["order"] = int(attribute["order"])
        found.append(attribute)
    return found


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_that_need_a_photo_say_so_and_how_to_send_it(
    fmt: str, pothole_size: ServiceAttribute
) -> None:
    """The rule is the service's own (Service.photo_required, what case_submit
    refuses on), not a list: a client learns it before its first POST."""
    Service.objects.filter(code="streetlight_out").update(photo_required=True)
    Service.objects.filter(code="road_damage").update(photo_required=False)
    needing = set(
        Service.objects.filter(is_active=True, photo_required=True).values_list("code", flat=True)
    )
    assert "streetlight_out" in needing
    assert "road_damage" not in needing
    for language, sentence in (("en", PHOTO_SENTENCE_EN), ("vi", PHOTO_SENTENCE_VI)):
        services = _services(fmt, language)
        for code, service in services.items():
            if code in needing:
                assert service["description"].endswith(sentence), code
                assert service["metadata"] is True, code
            else:
                assert "media" not in service["description"], code
    assert _services(fmt, "en")["road_damage"]["metadata"] is False

    # The definition lists the requirement as an informational attribute
    # (variable false), before the service's own questions.
    notice, question = _attributes("streetlight_out", fmt)
    assert notice == {
        "variable": False,
        "code": "photo_required",
        "datatype": "string",
        "required": False,
        "datatype_description": "",
        "order": 0,
        "description": PHOTO_SENTENCE_EN,
    }
    assert question["code"] == "pole_number"
    assert _attributes("road_damage", fmt) == []


def test_a_question_cannot_take_the_photo_notice_s_code() -> None:
    question = ServiceAttribute(
        service=Service.objects.get(code="road_damage"),
        code="photo_required",
        datatype=ServiceAttribute.Datatype.STRING,
        description="Có ảnh không?",
    )
    with pytest.raises(ValidationError):
        question.full_clean()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_without_the_photo_a_service_needs_says_how_to_send_it(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    only_a_link: dict[str, Any] = {
        "service_code": "road_damage",
        "media_url": "https://example.org/p.jpg",
    }
    english = file_request(
        app, commune_a, fmt=fmt, headers={"Accept-Language": "en"}, **only_a_link
    )
    assert errors(english, fmt) == [
        (
            400,
            "This service needs at least one photo of the problem: upload it as the field "
            "media of a multipart/form-data POST. A media_url alone does not count: it is "
            "kept as a link and never fetched.",
        )
    ]
    vietnamese = file_request(app, commune_a, fmt=fmt, **only_a_link)
    assert errors(vietnamese, fmt) == [
        (
            400,
            "Loại phản ánh này cần ít nhất một ảnh về sự việc: tải ảnh lên trong trường "
            "media của một yêu cầu POST multipart/form-data. Chỉ gửi media_url thì không "
            "được tính: đường dẫn chỉ được lưu lại, không bao giờ được tải về.",
        )
    ]
    assert not Ticket.objects.exists()
    # The other channels keep the case core's own sentence, written for its forms.
    assert str(PhotoRequired().message) == "Vui lòng thêm ít nhất một ảnh về sự việc."


# --- POST: an unknown service, a body that is no form --------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_post_for_an_unknown_or_inactive_service_is_404_naming_service_code(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    Service.objects.filter(code="fallen_tree").update(is_active=False)
    for code in ("no_such_service", "fallen_tree"):
        english = file_request(
            app, commune_a, fmt=fmt, service_code=code, headers={"Accept-Language": "en"}
        )
        assert errors(english, fmt) == [
            (
                404,
                "There is no service with this service_code: "
                "services.json lists the service codes.",
            )
        ]
        assert english.status_code == 404
        vietnamese = file_request(app, commune_a, fmt=fmt, service_code=code)
        assert errors(vietnamese, fmt) == [
            (404, "Không có dịch vụ nào có service_code này: services.json liệt kê các mã dịch vụ.")
        ]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", '{"api_key": "x", "service_code": "streetlight_out"}'),
        (
            "text/xml",
            "<service_request><service_code>streetlight_out</service_code></service_request>",
        ),
        ("text/plain", "service_code=streetlight_out"),
    ],
)
def test_a_post_that_is_not_form_encoded_is_415_saying_what_is_expected(
    fmt: str, content_type: str, body: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    sent = body.replace('"x"', f'"{app.key}"')
    response = Client().post(
        f"{BASE}/requests.{fmt}?api_key={app.key}",
        sent,
        content_type=content_type,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 415
    assert errors(response, fmt) == [
        (
            415,
            "GeoReport v2 requests are sent as a form: Content-Type "
            "application/x-www-form-urlencoded, or multipart/form-data to upload photos.",
        )
    ]
    vietnamese = Client().post(f"{BASE}/requests.{fmt}", sent, content_type=content_type)
    assert errors(vietnamese, fmt) == [
        (
            415,
            "Yêu cầu GeoReport v2 được gửi dưới dạng biểu mẫu: Content-Type "
            "application/x-www-form-urlencoded, hoặc multipart/form-data để tải ảnh lên.",
        )
    ]
    assert not Ticket.objects.exists()


def test_a_post_with_no_body_at_all_is_refused_for_what_is_missing(app: App) -> None:
    """No body and no type: nothing to call the wrong encoding, every field is missing."""
    response = Client().generic("POST", f"{BASE}/requests.json", headers={"Accept-Language": "en"})
    assert errors(response, "json") == [(403, "An api_key is required to submit a request.")]


# --- GET service_request_id from a token, in a jurisdiction -------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_token_is_read_in_the_jurisdiction_of_its_request(
    fmt: str, app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    public_id = filed(app, commune_a)  # in Thái Nguyên (19)
    token = ClientFiling.objects.get(ticket__public_id=public_id).token
    assert ids(get(f"tokens/{token}", fmt, jurisdiction_id="19"), fmt) == [public_id]
    elsewhere = get(f"tokens/{token}", fmt, jurisdiction_id="20")  # Lạng Sơn
    assert elsewhere.status_code == 404
    assert errors(elsewhere, fmt)[0][0] == 404
    assert get(f"tokens/{token}", fmt, jurisdiction_id="99").status_code == 404
