"""Hostile parameters: dates, numbers and pages each refused with a sentence, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from geo.models import AdminUnit
from helpdesk.models import Service
from open311 import params
from open311.models import ServiceAttribute
from tests import factories
from tests.conftest import Personas
from tests.open311.conftest import BASE, App, errors, file_request

pytestmark = pytest.mark.django_db
FORMATS = ("json", "xml")
NOT_VALID = "The parameter {} is not valid."


def get(path: str, fmt: str = "json", **query: str) -> Any:
    return Client().get(f"{BASE}/{path}.{fmt}", query, headers={"Accept-Language": "en"})


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("requests", "start_date", "9999-12-31T00:00Z"),  # start + 90 days passes year 9999
        ("servicerequestupdates", "end_date", "0001-01-01T00:00Z"),  # end - 90 days
    ],
)
def test_a_date_whose_90_days_pass_the_calendar_is_400(
    fmt: str, path: str, name: str, value: str
) -> None:
    response = get(path, fmt, **{name: value})
    assert errors(response, fmt) == [(400, f"{name} is too far in the past or in the future.")]
    vietnamese = Client().get(f"{BASE}/{path}.{fmt}", {name: value})
    assert errors(vietnamese, fmt) == [(400, f"{name} quá xa trong quá khứ hoặc tương lai.")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("start_date", "2026-12-01T00:00+16:00"),  # Python reads it, PostgreSQL refuses it
        ("updated_after", "2026-12-01T00:00-16:00"),
        ("end_date", "2026-12-01T00:00+14:01"),
        ("updated_after", "2026-12-01T00:00:00-1201"),
    ],
)
def test_a_time_zone_no_place_uses_is_400(fmt: str, name: str, value: str) -> None:
    response = get("requests", fmt, **{name: value})
    assert errors(response, fmt) == [
        (
            400,
            f"The time zone of {name} is not one any place uses: offsets go from -12:00 to +14:00.",
        )
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "2026-12-01T00:00+14:00"},  # Kiribati
        {"end_date": "2026-12-01T00:00-12:00"},  # Baker Island
        {"updated_after": "0001-01-01T00:00Z"},  # "since ever": no window to compute
        {"start_date": "0001-01-01T00:00Z", "end_date": "0001-02-01T00:00+14:00"},
        {"start_date": "9999-12-01T00:00Z", "end_date": "9999-12-31T23:59-12:00"},
    ],
)
def test_dates_at_the_edges_of_zones_and_the_calendar_are_read(query: dict[str, str]) -> None:
    assert get("requests", **query).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", ["requests", "servicerequestupdates"])
def test_a_page_past_the_first_million_rows_is_400(fmt: str, path: str) -> None:
    sentence = (
        "page may not start after the first million rows: "
        "narrow the dates or the other filters instead."
    )
    huge = get(path, fmt, page="99999999999999999999")  # past a bigint
    assert errors(huge, fmt) == [(400, sentence)]
    assert errors(get(path, fmt, page="1002"), fmt) == [(400, sentence)]
    last = get(path, fmt, page="1001")  # rows 1,000,001 to 1,001,000 may still be asked for
    assert last.status_code == 200
    vietnamese = Client().get(f"{BASE}/{path}.{fmt}", {"page": "1002"})
    assert errors(vietnamese, fmt) == [
        (
            400,
            "page không được bắt đầu sau một triệu dòng đầu tiên: "
            "hãy thu hẹp khoảng ngày hoặc các bộ lọc khác.",
        )
    ]


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("page", "\u0662", NOT_VALID.format("page")),  # an Arabic-Indic 2
        ("page", "+5", NOT_VALID.format("page")),
        ("page", "1_0", NOT_VALID.format("page")),
        ("page", "0x10", NOT_VALID.format("page")),
        ("page_size", "1_0", "page_size must be a whole number from 1 to 1000."),
        ("page_size", "+5", "page_size must be a whole number from 1 to 1000."),
    ],
)
def test_a_page_is_ascii_digits_only(name: str, value: str, sentence: str) -> None:
    assert errors(get("requests", **{name: value}), "json") == [(400, sentence)]


@pytest.mark.parametrize(
    ("lat", "lon", "refused"),
    [
        ("1_0", "1_0_5", "lat"),  # float() reads 10 and 105
        ("{lat}", "{lon}_1", "long"),  # float() reads the same place, longer
        ("{lat}", "1e2", "long"),
        ("{lat}", "nan", "long"),
        ("\u0662\u0661.5", "{lon}", "lat"),  # Arabic-Indic digits
        ("0x15", "{lon}", "lat"),
    ],
)
def test_lat_and_long_are_ascii_decimals_only(
    app: App, personas: Personas, commune_a: AdminUnit, lat: str, lon: str, refused: str
) -> None:
    point = dict(zip(("lat", "lon"), map(str, factories.point_inside(commune_a)), strict=True))
    response = file_request(
        app,
        commune_a,
        lat=lat.format(**point),
        long=lon.format(**point),
        headers={"Accept-Language": "en"},
    )
    assert errors(response, "json") == [(400, NOT_VALID.format(refused))]


def test_lat_and_long_take_a_sign_and_a_decimal_point(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    lat, lon = factories.point_inside(commune_a)
    response = file_request(app, commune_a, lat=f"+{lat:.6f}", long=f"{lon:.4f}0")
    assert response.status_code == 201, response.content


def test_number_answers_are_ascii_decimals_too(
    app: App, personas: Personas, commune_a: AdminUnit
) -> None:
    ServiceAttribute.objects.create(
        service=Service.objects.get(code="streetlight_out"),
        code="lamps",
        datatype=ServiceAttribute.Datatype.NUMBER,
        description="Mấy bóng đèn?",
        order=1,
    )
    for answer, status in (("1_0", 400), ("nan", 400), ("\u0662", 400), ("-2.5", 201)):
        fields: dict[str, Any] = {"attribute[lamps]": answer}
        assert file_request(app, commune_a, **fields).status_code == status, answer


INVALID_DATE_EN = (
    "{} must be an ISO 8601 date and time with its time zone: YYYY-MM-DDThh:mm, then "
    "optionally :ss and a fraction of a second, then Z or an offset +hh:mm, +hhmm or +hh, "
    "e.g. 2026-12-04T08:00:00+07:00, 2026-12-04T01:00:00.0000000Z or 2026-12-04T08:00+07."
)
INVALID_DATE_VI = (
    "{} phải là ngày giờ theo ISO 8601 kèm múi giờ: YYYY-MM-DDThh:mm, có thể thêm :ss và "
    "phần lẻ của giây, rồi Z hoặc độ lệch +hh:mm, +hhmm hay +hh, ví dụ "
    "2026-12-04T08:00:00+07:00, 2026-12-04T01:00:00.0000000Z hoặc 2026-12-04T08:00+07."
)


@pytest.mark.parametrize(
    ("value", "meant"),
    [
        # .NET's round-trip format ("o"): seven fraction digits.
        ("2026-12-01T00:00:00.0000000Z", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T00:00:00.1234567Z", datetime(2026, 12, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        # Java's Instant: nine, truncated to the microsecond (never rounded up).
        ("2026-12-01T00:00:00.999999999Z", datetime(2026, 12, 1, 0, 0, 0, 999999, tzinfo=UTC)),
        ("2026-12-01T07:00:00,5+07:00", datetime(2026, 12, 1, 0, 0, 0, 500000, tzinfo=UTC)),
        # An offset in hours alone.
        ("2026-12-01T07:00:00+07", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-12-01T07:00+07", datetime(2026, 12, 1, tzinfo=UTC)),
        ("2026-11-30T21:30:00.25-02:30", datetime(2026, 12, 1, 0, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_iso_8601_as_other_platforms_write_it_is_read(value: str, meant: datetime) -> None:
    assert params.moment({"d": value}, "d") == meant
    for name in ("start_date", "end_date", "updated_after", "updated_before"):
        assert get("requests", **{name: value}).status_code == 200, name


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "value",
    [
        "2026-12-01T00:00:00.Z",  # a point without digits
        "2026-12-01T00:00:00.12a4Z",
        "2026-12-01T00:00:00+7",  # one digit
        "2026-12-01T00:00:00+07:0",
        "2026-12-01T00:00:00+07:",
        "2026-12-01T00:00:00+070",
        "2026-12-01T00:00:00.5",  # no zone
        "2026-12-01T24:61Z",
        "2026-02-30T00:00Z",
        "2026-12-01T00:00:00ZZ",
    ],
)
def test_dates_that_are_not_iso_8601_are_still_400_saying_what_is_expected(
    fmt: str, value: str
) -> None:
    assert errors(get("requests", fmt, updated_after=value), fmt) == [
        (400, INVALID_DATE_EN.format("updated_after"))
    ]
    vietnamese = Client().get(f"{BASE}/requests.{fmt}", {"start_date": value})
    assert errors(vietnamese, fmt) == [(400, INVALID_DATE_VI.format("start_date"))]
