from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from geo.selectors import communes_at_points

pytestmark = pytest.mark.usefixtures("boundaries")

URL = "/api/v1/geo/lookup"
CITY_CENTRE = {"lat": 21.5928, "lon": 105.8442}
SEA = {"lat": 20.0, "lon": 107.5}


def _post(client: Client, body: Any, language: str = "en") -> Any:
    return client.post(
        URL, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


def test_lookup_returns_commune_province_and_version(client: Client) -> None:
    response = client.get(URL, {k: str(v) for k, v in CITY_CENTRE.items()})
    assert response.status_code == 200
    assert response.json() == {
        "commune": {
            "code": "05443",
            "name": "Phan Đình Phùng",
            "full_name": "Phường Phan Đình Phùng",
            "name_en": "Phan Dinh Phung",
            "full_name_en": "Phan Dinh Phung Ward",
            "unit_type": "phuong",
        },
        "province": {
            "code": "19",
            "name": "Thái Nguyên",
            "full_name": "Tỉnh Thái Nguyên",
            "name_en": "Thai Nguyen",
            "full_name_en": "Thai Nguyen Province",
            "unit_type": "tinh",
        },
        "boundary_version": "vn-2025",
    }


@pytest.mark.parametrize("language", ["vi", "en"])
def test_lookup_at_sea_is_404_outside_coverage(client: Client, language: str) -> None:
    response = client.get(URL, {k: str(v) for k, v in SEA.items()}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "outside_coverage"
    expected = {
        "en": "The point is not inside any Vietnamese commune XaDesk knows.",
        "vi": "Điểm này không thuộc xã, phường hay đặc khu nào của Việt Nam mà XaDesk có dữ liệu.",
    }
    assert body["message"] == expected[language]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"lat": "nan", "lon": "105.8"}, "invalid_coordinates"),
        ({"lat": "21.5", "lon": "inf"}, "invalid_coordinates"),
        ({"lat": "91", "lon": "105.8"}, "invalid_coordinates"),
        ({"lat": "21.5", "lon": "-181"}, "invalid_coordinates"),
        ({"lat": "abc", "lon": "105.8"}, "invalid_input"),
        ({"lat": "21.5"}, "invalid_input"),
    ],
)
def test_lookup_with_bad_coordinates_is_422(
    client: Client, query: dict[str, str], code: str
) -> None:
    response = client.get(URL, query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code
    if code == "invalid_coordinates":
        assert body["message"].startswith("Coordinates must be numbers: latitude between -90")


def test_batch_keeps_order_with_null_outside(client: Client) -> None:
    lang_son = {"lat": 21.8537, "lon": 106.7615}
    response = _post(client, {"points": [CITY_CENTRE, SEA, lang_son, CITY_CENTRE]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r and r["commune"]["code"] for r in results] == ["05443", None, "05977", "05443"]
    assert results[2]["province"]["full_name"] == "Tỉnh Lạng Sơn"


def test_batch_of_more_than_1000_points_is_422_batch_too_large(client: Client) -> None:
    response = _post(client, {"points": [CITY_CENTRE] * 1001})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "batch_too_large"
    assert "at most 1,000 points" in body["message"]


def test_empty_batch_is_422(client: Client) -> None:
    response = _post(client, {"points": []})
    assert (response.status_code, response.json()["code"]) == (422, "batch_empty")


def test_batch_with_nan_is_422_naming_the_point(client: Client) -> None:
    body = '{"points": [{"lat": 21.5, "lon": 105.8}, {"lat": NaN, "lon": 105.8}]}'
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_coordinates"
    assert response.json()["details"]["index"] == 1


def test_batch_with_string_coordinates_is_422(client: Client) -> None:
    response = _post(client, {"points": [{"lat": "north", "lon": 105.8}]})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


@pytest.mark.parametrize("size", [1, 100, 1000])
def test_batch_uses_at_most_one_query_whatever_its_size(
    client: Client, django_assert_max_num_queries: DjangoAssertNumQueries, size: int
) -> None:
    communes_at_points(points=[(21.5928, 105.8442)])  # warm the in-process index
    points = [{"lat": 21.0 + i * 0.0015, "lon": 105.8 + i * 0.0009} for i in range(size)]
    # One version check at most (none when this process checked within a second).
    with django_assert_max_num_queries(1):
        response = _post(client, {"points": points})
    assert len(response.json()["results"]) == size


def test_single_lookup_uses_at_most_one_query(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {k: str(v) for k, v in CITY_CENTRE.items()})
    assert len(queries) <= 1
