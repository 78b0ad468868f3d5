"""Knowledge base writes: articles are saved with their search fields refreshed."""

from __future__ import annotations

from django.db import transaction

from knowledge.models import Article
from knowledge.search import search_fields


def article_index(*, article: Article) -> None:
    """Refresh the folded search fields of ``article`` from its titles and bodies."""
    article.search_title, article.search_text = search_fields(
        title_vi=article.title_vi,
        title_en=article.title_en,
        body_vi=article.body_vi,
        body_en=article.body_en,
    )


def article_save(*, article: Article) -> Article:
    """Validate ``article``, refresh its search fields and save it."""
    article_index(article=article)
    article.full_clean()
    article.save()
    return article


def article_create(
    *,
    topic_code: str,
    slug: str,
    title_vi: str,
    body_vi: str,
    title_en: str = "",
    body_en: str = "",
    is_published: bool = False,
) -> Article:
    article = Article(
        topic_code=topic_code,
        slug=slug,
        title_vi=title_vi,
        title_en=title_en,
        body_vi=body_vi,
        body_en=body_en,
        is_published=is_published,
    )
    return article_save(article=article)


@transaction.atomic
def articles_reindex() -> int:
    """Refresh the search fields of every article (after the folding rules change)."""
    articles = list(Article.objects.select_for_update().order_by("pk"))
    for article in articles:
        article_index(article=article)
    return Article.objects.bulk_update(articles, ["search_title", "search_text"], batch_size=200)
