"""The published OpenAPI schema says what the answers really are.

OpenAPI names each schema after its class, and two classes of one name
overwrite each other: the knowledge base's ``ArticleOut`` was replaced by the
scam check's (slug, title, url), so every article answer broke its own
published schema, and accounts' and geo's ``ErrorOut`` hid each other. The
in-process fuzzer never met it (it never guesses a real slug); schemathesis
against ``make run`` did.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from config.api import api
from tests.knowledge.articles import BIRTH

# The project's own packages (pyproject.toml [tool.importlinter] root_packages).
PROJECT_PACKAGES = (
    "config", "core", "geo", "audit", "accounts", "notifications", "knowledge", "helpdesk",
    "console", "reports", "backup", "open311", "sms_intake", "alerts", "scams",
)  # fmt: skip


def _models(base: type[BaseModel]) -> list[type[BaseModel]]:
    found = []
    for sub in base.__subclasses__():
        found.append(sub)
        found.extend(_models(sub))
    return found


def test_no_two_schema_classes_share_a_published_name() -> None:
    api.get_openapi_schema()  # every router and its schemas imported
    by_name: dict[str, set[str]] = defaultdict(set)
    for model in _models(BaseModel):
        if model.__module__.split(".")[0] in PROJECT_PACKAGES:
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not clashes


def _published(path: str, method: str, status: int) -> Draft202012Validator:
    document = api.get_openapi_schema()
    responses = document["paths"][path][method]["responses"]
    answer = responses.get(status) or responses[str(status)]
    schema = answer["content"]["application/json"]["schema"]
    # OpenAPI 3.1's schemas are JSON Schema 2020-12; the references point
    # into the document's components.
    return Draft202012Validator({**schema, "components": document["components"]})


def _errors(validator: Draft202012Validator, body: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(body)]


@pytest.mark.django_db
def test_a_knowledge_base_article_matches_its_published_schema(client: Client) -> None:
    response = client.get(f"/api/v1/kb/articles/{BIRTH}")
    assert response.status_code == 200
    body = response.json()
    assert _errors(_published("/api/v1/kb/articles/{slug}", "get", 200), body) == []
    # The published schema names the article's own fields, not another class's.
    properties = api.get_openapi_schema()["components"]["schemas"]["ArticleOut"]["properties"]
    assert set(properties) == set(body)


@pytest.mark.django_db
def test_a_scam_check_with_articles_matches_its_published_schema(client: Client) -> None:
    response = client.post(
        "/api/v1/scams/check",
        json.dumps({"text": "Cập nhật định danh mức 2 tại http://vneid-gov.com ngay hôm nay"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["articles"]
    assert _errors(_published("/api/v1/scams/check", "post", 200), body) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "url", "data", "status"),
    [
        ("get", "/api/v1/geo/lookup", "/api/v1/geo/lookup?lat=16.5&lon=112.0", None, 404),
        ("post", "/api/v1/auth/otp/verify", "/api/v1/auth/otp/verify",
         {"phone": "0981234567", "code": "000000"}, 422),
    ],
)  # fmt: skip
def test_errors_match_the_one_published_error_schema(
    client: Client, method: str, path: str, url: str, data: Any, status: int
) -> None:
    if data is None:
        response = client.get(url)
    else:
        response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code == status
    validator = _published(path, method, status)
    assert validator.schema["$ref"] == "#/components/schemas/Error"
    assert _errors(validator, response.json()) == []
