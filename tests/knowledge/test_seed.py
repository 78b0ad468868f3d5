"""The seed articles every install starts with (helpdesk migration 0003_article)."""

from __future__ import annotations

import pytest

from knowledge.models import Article
from knowledge.seed import SEED_ARTICLES, knowledge_seed
from knowledge.services import article_save
from tests.knowledge.articles import BIRTH


@pytest.mark.django_db
def test_every_install_has_the_seed_articles_and_seeding_again_changes_nothing() -> None:
    assert Article.objects.filter(is_published=True).count() >= len(SEED_ARTICLES)
    article = Article.objects.get(slug=BIRTH)
    article.title_vi = "Khai sinh (đã sửa)"
    article_save(article=article)

    assert knowledge_seed() == 0
    assert Article.objects.get(slug=BIRTH).title_vi == "Khai sinh (đã sửa)"


def test_seed_articles_have_both_languages_and_unique_slugs() -> None:
    assert 8 <= len(SEED_ARTICLES) <= 12
    assert len({seed.slug for seed in SEED_ARTICLES}) == len(SEED_ARTICLES)
    for seed in SEED_ARTICLES:
        assert all((seed.title_vi, seed.title_en, seed.body_vi, seed.body_en)), seed.slug
        assert "\n\n\n" not in seed.body_vi
