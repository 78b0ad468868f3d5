"""POST /api/v1/scams/check: answers, documented errors, the caller's own number."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.auth import api_token_create
from config.api import api
from scams.models import ScamCheck, ScamIndicator
from tests import factories
from tests.conftest import Personas

pytestmark = pytest.mark.django_db
URL = "/api/v1/scams/check"


def _post(client: Client, body: object, language: str = "vi") -> tuple[int, dict[str, Any]]:
    response = client.post(
        URL, data=json.dumps(body), content_type="application/json",
        headers={"accept-language": language},
    )  # fmt: skip
    return response.status_code, response.json()


def test_a_scam_is_answered_with_reasons_advice_and_articles(client: Client) -> None:
    status, body = _post(
        client,
        {"text": "Cập nhật định danh mức 2 tại http://vneid-gov.com ngay hôm nay"},
        language="en",
    )
    assert status == 200
    assert body["verdict"] == "likely_scam"
    assert body["verdict_label"] == "Likely a scam"
    codes = [reason["code"] for reason in body["reasons"]]
    assert "link_lookalike" in codes
    assert "identity_update_link" in codes
    assert any("OTP" in line for line in body["advice"])
    # The seeded knowledge base's scam articles, with their page.
    articles = body["articles"]
    assert isinstance(articles, list)
    assert articles
    assert articles[0]["url"].startswith("/help/articles/")
    assert ScamCheck.objects.get(public_id=body["id"]).channel == "api"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "scam_text_required"),
        ("   \n  ", "scam_text_required"),
        # Only direction marks and zero-width spaces: nothing a person could check.
        ("\u200b\u200e\u2066 \ufeff", "scam_text_required"),
        ("x" * 2001, "scam_text_too_long"),
    ],
)
def test_empty_and_too_long_texts_are_refused_with_their_code(
    client: Client, text: str, code: str
) -> None:
    status, body = _post(client, {"text": text})
    assert status == 422
    assert body["code"] == code
    assert body["message"]
    assert not ScamCheck.objects.exists()


def test_a_missing_text_is_invalid_input(client: Client) -> None:
    status, body = _post(client, {"province": "19"})
    assert status == 422
    assert body["code"] == "invalid_input"


def test_the_operation_and_its_errors_are_in_the_schema() -> None:
    operation = api.get_openapi_schema()["paths"]["/api/v1/scams/check"]["post"]
    assert {200, 422} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/CheckIn")
    schema = api.get_openapi_schema()["components"]["schemas"]["CheckIn"]
    assert schema["properties"]["text"]["maxLength"] == 2000


def test_a_signed_in_caller_is_the_checker_and_their_number_is_masked(
    personas: Personas,
) -> None:
    user = personas.resident
    national = "0" + user.phone[3:]
    client = Client(headers={"authorization": f"Bearer {api_token_create(user=user)}"})
    status, body = _post(client, {"text": f"So toi {national}, ho bat doc ma OTP"})
    assert status == 200
    check = ScamCheck.objects.get(public_id=body["id"])
    assert check.checker == user
    assert national not in check.text
    assert check.phones == []


def test_the_province_named_decides_whose_list_is_read(client: Client) -> None:
    ScamIndicator.objects.create(
        province=factories.province_get(code="20"), kind="phone", value="0356111222"
    )
    text = "Goi lai so 0356111222 nhe"
    assert _post(client, {"text": text, "province": "20"})[1]["verdict"] == "likely_scam"
    assert _post(client, {"text": text, "province": "19"})[1]["verdict"] == "no_known_problem"
    assert _post(client, {"text": text, "commune": "05443"})[1]["verdict"] == "no_known_problem"


def test_a_script_checking_without_end_is_stopped(client: Client, settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "scam_check.ip": (2, 3600)}
    assert _post(client, {"text": "bit.ly/a"})[0] == 200
    assert _post(client, {"text": "bit.ly/b"})[0] == 200
    response = client.post(
        URL, data=json.dumps({"text": "bit.ly/c"}), content_type="application/json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "scam_check_rate_limited"
    assert int(response["Retry-After"]) > 0
    assert ScamCheck.objects.count() == 2
