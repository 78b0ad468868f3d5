"""HTTP API of the knowledge base: search, suggestions, one article."""

from __future__ import annotations

import pytest
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.testing import TestClient

from config.api import on_domain_error, on_validation_error
from core.errors import DomainError
from knowledge.api import router
from tests.knowledge.articles import BIRTH, VNEID_PASSWORD, article_build

# The knowledge router on a test-only API that maps errors like config.api does.
kb_api = NinjaAPI(urls_namespace="kb_test")
kb_api.exception_handler(DomainError)(on_domain_error)
kb_api.exception_handler(NinjaValidationError)(on_validation_error)
kb_api.add_router("/kb/", router)
client = TestClient(kb_api)


@pytest.mark.django_db
def test_api_search_lists_matches_in_the_request_language() -> None:
    with translation.override("en"):
        response = client.get("/kb/search", query_params={"q": "dang ky khai sinh"})
    assert response.status_code == 200
    first = response.json()["results"][0]
    assert set(first) == {"slug", "title", "snippet", "topic"}
    assert first["slug"] == BIRTH
    assert first["title"] == "Registering a child's birth online"
    assert first["topic"] == "birth_residence_registration"


@pytest.mark.django_db
def test_api_search_filters_by_topic() -> None:
    response = client.get("/kb/search", query_params={"q": "vneid", "topic": "scam_message"})
    assert response.status_code == 200
    assert {hit["topic"] for hit in response.json()["results"]} == {"scam_message"}


@pytest.mark.django_db
def test_api_search_refuses_a_one_letter_query() -> None:
    response = client.get("/kb/search", query_params={"q": "v"})
    assert response.status_code == 422
    assert response.json()["code"] == "query_too_short"
    assert response.json()["message"]


@pytest.mark.django_db
def test_api_search_without_a_query_is_invalid_input() -> None:
    response = client.get("/kb/search")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


@pytest.mark.django_db
def test_api_suggest_lists_matches() -> None:
    response = client.get(
        "/kb/suggest", query_params={"text": "quên mật khẩu VNeID", "topic": "vneid_account"}
    )
    assert response.status_code == 200
    assert response.json()["results"][0]["slug"] == VNEID_PASSWORD


@pytest.mark.django_db
def test_api_article_is_in_the_request_language_with_escaped_html() -> None:
    article_build(
        slug="html",
        title_vi="Thử",
        body_vi="Dòng <b>một</b>\nDòng hai\n\nĐoạn hai",
        title_en="Test",
        body_en="Line <b>one</b>",
    )
    response = client.get("/kb/articles/html")
    assert response.status_code == 200
    body = response.json()
    assert (body["language"], body["title"]) == ("vi", "Thử")
    assert body["body_html"] == "<p>Dòng &lt;b&gt;một&lt;/b&gt;<br>Dòng hai</p>\n\n<p>Đoạn hai</p>"

    with translation.override("en"):
        body = client.get("/kb/articles/html").json()
    assert (body["language"], body["title"], body["body"]) == ("en", "Test", "Line <b>one</b>")


@pytest.mark.django_db
def test_api_unknown_article_is_404_with_a_stable_code() -> None:
    with translation.override("en"):
        response = client.get("/kb/articles/no-such-article")
    assert response.status_code == 404
    assert response.json() == {
        "code": "article_not_found",
        "message": "This help article does not exist or is no longer published.",
    }
