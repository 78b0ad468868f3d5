"""Knowledge base reads: published articles, search, suggestions while typing.

Search runs on ``Article.search_text``, a lowercase, diacritics-free copy of
both titles and bodies that knowledge.services keeps up to date, so residents
who type without marks ("dang ky khai sinh") find "Đăng ký khai sinh". One
query per search: every word must match as a word prefix (a trigram GIN index
serves the regular expressions), and the rank favours the whole phrase and
title matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.utils.html import linebreaks
from django.utils.safestring import SafeString

from knowledge.errors import ArticleNotFound, QueryTooShort
from knowledge.models import Article
from knowledge.search import informative_terms, query_words, snippet, word_pattern

MIN_QUERY_LENGTH = 2
SUGGEST_LIMIT = 3


@dataclass(frozen=True)
class ArticleHit:
    """An article found by a search, in the reader's language."""

    slug: str
    title: str
    snippet: str
    topic_code: str


@dataclass(frozen=True)
class ArticleView:
    """A published article in the reader's language."""

    slug: str
    topic_code: str
    language: str
    title: str
    body: str
    updated_at: datetime

    @property
    def body_html(self) -> SafeString:
        return article_body_html(self.body)


def article_language(language: str) -> str:
    """Return the article language for a Django language code ("en-us" → "en")."""
    return "en" if language.lower().startswith("en") else "vi"


def article_title(article: Article, *, language: str) -> str:
    """Return the title in ``language``, falling back to Vietnamese."""
    if article_language(language) == "en" and article.title_en:
        return article.title_en
    return article.title_vi


def article_body(article: Article, *, language: str) -> str:
    """Return the text in ``language``, falling back to Vietnamese."""
    if article_language(language) == "en" and article.body_en.strip():
        return article.body_en
    return article.body_vi


def article_body_html(body: str) -> SafeString:
    """Return plain article text as escaped HTML paragraphs and line breaks."""
    return SafeString(linebreaks(body, autoescape=True))


def articles_published() -> QuerySet[Article]:
    return Article.objects.filter(is_published=True)


def _listed() -> QuerySet[Article]:
    # Lists need neither search form, which can be as long as both bodies.
    return articles_published().defer("search_title", "search_text")


def article_get(*, slug: str, language: str) -> ArticleView:
    """Return a published article in ``language``; raise ArticleNotFound otherwise."""
    article = articles_published().filter(slug=slug).first()
    if article is None:
        raise ArticleNotFound()
    english = article_language(language) == "en" and bool(article.body_en.strip())
    return ArticleView(
        slug=article.slug,
        topic_code=article.topic_code,
        language="en" if english else "vi",
        title=article_title(article, language=language),
        body=article_body(article, language=language),
        updated_at=article.updated_at,
    )


def articles_by_slug(*, slugs: Iterable[str], language: str) -> dict[str, ArticleHit]:
    """Return the published articles among ``slugs``, for links in replies (one query)."""
    return {
        article.slug: _hit(article, words=[], language=language)
        for article in _listed().filter(slug__in=set(slugs))
    }


def _hit(article: Article, *, words: list[str], language: str) -> ArticleHit:
    return ArticleHit(
        slug=article.slug,
        title=article_title(article, language=language),
        snippet=snippet(article_body(article, language=language), words),
        topic_code=article.topic_code,
    )


def _points(field: str, pattern: str, points: int) -> Case:
    return Case(When(Q(**{f"{field}__regex": pattern}), then=Value(points)), default=Value(0))


def _total(terms: list[Combinable]) -> Combinable:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def article_search(
    *, query: str, topic_code: str | None = None, language: str, limit: int = 10
) -> list[ArticleHit]:
    """Return published articles holding every word of ``query``, best first.

    Words match as word prefixes, with or without marks, in either language.
    An article with the whole query in its title comes first, then the whole
    query in its text, then by how many words are in the title.
    """
    if len(query.strip()) < MIN_QUERY_LENGTH:
        raise QueryTooShort()
    words = query_words(query)
    if not words:
        return []
    articles = _listed()
    if topic_code:
        articles = articles.filter(topic_code=topic_code)
    for word in words:
        articles = articles.filter(search_text__regex=word_pattern(word))
    phrase = word_pattern(*words)
    rank = _total(
        [
            _points("search_title", phrase, 8),
            _points("search_text", phrase, 4),
            *(_points("search_title", word_pattern(word), 1) for word in words),
        ]
    )
    found = articles.annotate(rank=rank).order_by("-rank", "slug")[:limit]
    return [_hit(article, words=words, language=language) for article in found]


def article_suggest(
    *, text: str, topic_code: str | None, language: str, limit: int = SUGGEST_LIMIT
) -> list[ArticleHit]:
    """Return articles that may answer a help request being typed, best first.

    Unlike article_search, not every word must match: the request is free
    text. An article must hold two or about 40% of its informative words
    (stopwords dropped, whole words), or one if it is of the chosen topic;
    neighbouring word pairs ("tài khoản") and title matches count more, and
    articles of the chosen topic are preferred, not required, as residents
    often pick the wrong topic.
    """
    words, pairs = informative_terms(text)
    if not words:
        return []
    # Words of a typed question are whole, but for the one still being typed.
    still_typing = words[-1] if text[-1:].isalnum() else None

    def pattern(*terms: str) -> str:
        return word_pattern(*terms, whole=terms[-1] != still_typing)

    required = max(min(2, len(words)), round(len(words) * 0.4))
    matched = _total([_points("search_text", pattern(word), 1) for word in words])
    rank = _total(
        [
            matched,
            *(_points("search_title", pattern(word), 1) for word in words),
            *(_points("search_text", pattern(*pair), 2) for pair in pairs),
            *(_points("search_title", pattern(*pair), 2) for pair in pairs),
            Case(When(topic_code=topic_code or "", then=Value(2)), default=Value(0)),
        ]
    )
    any_word = Q()
    for word in words:
        any_word |= Q(search_text__regex=pattern(word))
    found = (
        _listed()
        .filter(any_word)
        .annotate(matched=matched, rank=rank)
        # The chosen topic is itself a word of the question: "...wants to
        # register her grandson's birth" under birth registration matched
        # "birth" alone ("register" is not "registering") and got nothing (a
        # helper's walk).
        .filter(Q(matched__gte=required) | Q(topic_code=topic_code or "", matched__gte=1))
        .order_by("-rank", "slug")[:limit]
    )
    return [_hit(article, words=words, language=language) for article in found]
