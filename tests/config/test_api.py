from __future__ import annotations

import pytest
from django.test import Client


def test_openapi_schema_lists_the_geo_lookup() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/geo/lookup" in response.json()["paths"]


def test_api_docs_page_renders() -> None:
    assert Client().get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("vi", "Một số thông tin gửi lên không hợp lệ"),
        ("en", "Some of the information sent is not valid"),
    ],
)
def test_invalid_input_is_explained_in_the_request_language(language: str, expected: str) -> None:
    response = Client(headers={"accept-language": language}).get(
        "/api/v1/geo/lookup", {"lat": "abc", "lon": "105.8"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"].startswith(expected)
    assert any(field["field"].endswith("lat") for field in body["details"]["fields"])


def test_status_mapping_covers_every_domain_error_family() -> None:
    from config.api import status_for
    from core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

    assert status_for(NotFound()) == 404
    assert status_for(PermissionDenied()) == 403
    assert status_for(Conflict()) == 409
    assert status_for(InvalidInput()) == 422
    assert status_for(DomainError()) == 400
