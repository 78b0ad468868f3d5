"""Knowledge base writes: saving keeps the search fields in step with the text."""

from __future__ import annotations

import pytest

from knowledge.services import article_save
from tests.knowledge.articles import article_build, slugs


@pytest.mark.django_db
def test_saving_an_article_refreshes_its_search_text() -> None:
    article = article_build(slug="doi-ten", title_vi="Cũ")
    article.title_vi = "Hướng dẫn nuôi ong"
    article_save(article=article)
    assert slugs("nuoi ong") == ["doi-ten"]
