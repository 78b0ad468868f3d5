"""HTTP API of the scam check: POST /api/v1/scams/check.

Open to everyone, like the page: a worried resident should not need an
account to ask. A signed-in caller (bearer key or session) is the checker,
so their own number is masked in what is kept.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema
from pydantic import WithJsonSchema

from accounts.auth import request_person
from accounts.models import User
from core.api_fields import JsonBody
from core.client_ip import client_ip
from scams.models import ScamCheck, Verdict
from scams.selectors import province_for
from scams.services import MAX_TEXT, check_message

router = Router()

# Empty and over-long texts are refused by the service with their own codes
# (scam_text_required, scam_text_too_long), so the schema only documents them.
CheckText = Annotated[
    str, WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_TEXT})
]


class CheckIn(JsonBody):
    text: CheckText = Field(description="The message, phone number or link to check.")
    commune: str = Field("", max_length=10, description="Official code of the commune.")
    province: str = Field("", max_length=10, description="Official code of the province.")


class ReasonOut(Schema):
    code: str
    message: str


class CheckArticleOut(Schema):
    """A knowledge-base article to read after a check, with its page."""

    slug: str
    title: str
    url: str


class CheckOut(Schema):
    id: str = Field(description="The check's id, to send it to the commune from the page.")
    verdict: Verdict
    verdict_label: str
    reasons: list[ReasonOut]
    advice: list[str]
    articles: list[CheckArticleOut]


@router.post("/check", response=CheckOut, auth=None)
def check(request: HttpRequest, payload: CheckIn) -> dict[str, object]:
    person = request_person(request)
    checker = person if isinstance(person, User) and person.is_authenticated else None
    province = province_for(
        user=checker, commune_code=payload.commune, province_code=payload.province
    )
    result = check_message(
        text=payload.text,
        province=province,
        checker=checker,
        channel=ScamCheck.Channel.API,
        ip=client_ip(request),
    )
    return {
        "id": result.check.public_id,
        "verdict": result.verdict,
        "verdict_label": str(Verdict(result.verdict).label),
        "reasons": [{"code": r.code, "message": r.message} for r in result.reasons],
        "advice": result.advice,
        "articles": [
            {
                "slug": slug,
                "title": title,
                "url": reverse("reports:article-detail", kwargs={"slug": slug}),
            }
            for slug, title in result.articles
        ],
    }
