"""What every GeoReport path answers outside its resources: unknown paths and errors."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.open311.conftest import BASE, errors

pytestmark = pytest.mark.django_db
NOTHING_HERE = (
    "There is nothing at this address. GeoReport v2 resources end in .json or .xml, "
    "e.g. /open311/v2/services.json."
)


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("discovery.csv", "json"),
        ("discovery.JSON", "json"),
        ("discovery.XML", "xml"),
        ("requests/a,b.json", "json"),
        ("requests/a,b.xml", "xml"),
        ("requests.json/", "json"),
        ("services/%FF.json", "json"),
        ("tokens/.json", "json"),
        ("foo.json", "json"),
        ("foo.xml", "xml"),
        ("v3/services.xml", "xml"),
        ("line%0Abreak.xml", "xml"),
    ],
)
def test_an_unknown_path_is_404_in_the_error_format_of_its_suffix(path: str, fmt: str) -> None:
    response = Client().get(f"{BASE}/{path}", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, NOTHING_HERE)]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(("path", "fmt"), [("/open311/", "json"), ("/open311/v1/x.xml", "xml")])
def test_a_path_outside_v2_is_404_in_the_error_format_too(path: str, fmt: str) -> None:
    response = Client().get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, NOTHING_HERE)]


def test_an_unknown_path_answers_a_post_in_vietnamese_without_a_csrf_page() -> None:
    response = Client(enforce_csrf_checks=True).post(f"{BASE}/request.json", {"a": "b"})
    assert errors(response, "json") == [
        (
            404,
            "Không có gì ở địa chỉ này. Các tài nguyên GeoReport v2 kết thúc bằng .json "
            "hoặc .xml, ví dụ /open311/v2/services.json.",
        )
    ]
    assert "Access-Control-Allow-Origin" not in response  # a POST's answer stays private


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("requests", {"status": "maybe"}, 400),
        ("requests", {"jurisdiction_id": "99"}, 404),
        ("requests/no-such-request", {}, 404),
        ("services/no_such_service", {}, 404),
        ("tokens/no-such-token", {}, 404),
        ("servicerequestupdates", {"page": "0"}, 400),
    ],
)
def test_errors_of_a_get_are_readable_by_browser_apps_of_other_sites(
    fmt: str, path: str, query: dict[str, str], status: int
) -> None:
    response = Client().get(f"{BASE}/{path}.{fmt}", query)
    assert errors(response, fmt)[0][0] == status
    assert response["Access-Control-Allow-Origin"] == "*"


def test_errors_of_a_post_stay_private() -> None:
    response = Client().post(f"{BASE}/requests.json", {"service_code": "streetlight_out"})
    assert errors(response, "json")[0][0] == 403  # no api_key
    assert "Access-Control-Allow-Origin" not in response


PATHS = ("discovery", "services", "services/streetlight_out", "requests", "tokens/abc")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_browser_preflight_for_reading_is_granted(path: str, method: str) -> None:
    """A browser app of another site that sends a header outside the CORS
    safelist (If-None-Match, X-Requested-With) asks with OPTIONS first; a 405
    there made its browser refuse the public data that a plain GET gets."""
    response = Client().options(
        f"{BASE}/{path}.json",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "if-none-match, x-requested-with",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert response["Access-Control-Allow-Headers"] == "if-none-match, x-requested-with"
    assert int(response["Access-Control-Max-Age"]) > 0
    assert "GET" in response["Allow"]
    assert "OPTIONS" in response["Allow"]


def test_a_browser_preflight_for_filing_is_not_granted() -> None:
    """Filing needs an api_key, and a key in a web page is anyone's: the
    preflight for POST gets the methods but no leave, so the browser stops."""
    response = Client().options(
        f"{BASE}/requests.json",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204
    assert response["Allow"] == "GET, POST, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Methods" not in response


@pytest.mark.parametrize(
    "headers",
    [
        {"Access-Control-Request-Method": "GET"},  # no Origin: not a browser's preflight
        {"Origin": "https://app.example", "Access-Control-Request-Method": "DELETE"},
        {
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-a; x-b",  # not a list of header names
        },
    ],
)
def test_options_that_is_no_preflight_for_reading_gets_only_the_methods(
    headers: dict[str, str],
) -> None:
    response = Client().options(f"{BASE}/services.xml", headers=headers)
    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Headers" not in response
