"""HTTP API of the knowledge base: search, suggestions while typing, one article.

Public: help articles need no login. Texts come in the request's language
(LocaleMiddleware has activated it), falling back to Vietnamese.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator, WithJsonSchema

from knowledge.errors import QueryTooShort
from knowledge.selectors import (
    MIN_QUERY_LENGTH,
    ArticleHit,
    article_get,
    article_search,
    article_suggest,
)

router = Router()


def _long_enough(query: str) -> str:
    # The length is in the schema, and a short query keeps the query_too_short
    # code clients branch on (a DomainError passes through pydantic).
    if len(query.strip()) < MIN_QUERY_LENGTH:
        raise QueryTooShort()
    return query


SearchQuery = Annotated[
    str,
    Field(max_length=200),
    AfterValidator(_long_enough),
    WithJsonSchema({"type": "string", "minLength": MIN_QUERY_LENGTH, "maxLength": 200}),
]


class ArticleSearchFilter(Schema):
    q: SearchQuery
    topic: str | None = None


class ArticleSuggestFilter(Schema):
    text: str
    topic: str | None = None


class ArticleHitOut(Schema):
    slug: str
    title: str
    snippet: str
    topic: str


class ArticleSearchOut(Schema):
    results: list[ArticleHitOut]


class ArticleOut(Schema):
    slug: str
    topic: str
    language: str
    title: str
    body: str
    body_html: str
    updated_at: datetime


def _language() -> str:
    return get_language() or "vi"


def _results(hits: list[ArticleHit]) -> ArticleSearchOut:
    return ArticleSearchOut(
        results=[
            ArticleHitOut(slug=hit.slug, title=hit.title, snippet=hit.snippet, topic=hit.topic_code)
            for hit in hits
        ]
    )


@router.get("/search", response=ArticleSearchOut, url_name="kb-article-search")
def search_articles(request: HttpRequest, filters: Query[ArticleSearchFilter]) -> ArticleSearchOut:
    hits = article_search(query=filters.q, topic_code=filters.topic, language=_language())
    return _results(hits)


@router.get("/suggest", response=ArticleSearchOut, url_name="kb-article-suggest")
def suggest_articles(
    request: HttpRequest, filters: Query[ArticleSuggestFilter]
) -> ArticleSearchOut:
    hits = article_suggest(text=filters.text, topic_code=filters.topic, language=_language())
    return _results(hits)


@router.get("/articles/{slug}", response=ArticleOut, url_name="kb-article-detail")
def get_article(request: HttpRequest, slug: str) -> ArticleOut:
    article = article_get(slug=slug, language=_language())
    return ArticleOut(
        slug=article.slug,
        topic=article.topic_code,
        language=article.language,
        title=article.title,
        body=article.body,
        body_html=str(article.body_html),
        updated_at=article.updated_at,
    )
