"""Helpers shared by the knowledge-base tests: seed slugs, a published article, a search."""

from __future__ import annotations

from typing import Any

from knowledge.models import Article
from knowledge.selectors import article_search
from knowledge.services import article_create

VNEID_ACTIVATION = "kich-hoat-tai-khoan-vneid-muc-2"
VNEID_PASSWORD = "quen-mat-khau-vneid"
BIRTH = "dang-ky-khai-sinh-truc-tuyen"


def article_build(
    *,
    slug: str,
    title_vi: str,
    body_vi: str = "Nội dung hướng dẫn.",
    topic_code: str = "help_other",
    is_published: bool = True,
    **extra: Any,
) -> Article:
    return article_create(
        slug=slug,
        topic_code=topic_code,
        title_vi=title_vi,
        body_vi=body_vi,
        is_published=is_published,
        **extra,
    )


def slugs(query: str, **kwargs: Any) -> list[str]:
    kwargs.setdefault("language", "vi")
    return [hit.slug for hit in article_search(query=query, **kwargs)]
