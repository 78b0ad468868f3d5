"""Knowledge base: diacritics-free search, suggestions while typing, the HTTP API.

The seed articles are loaded by migration 0003_article, so these tests also
check that the real help content is findable the way residents type.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.testing import TestClient
from pytest_django import DjangoAssertNumQueries

from config.api import on_domain_error, on_validation_error
from core.errors import DomainError
from helpdesk.api_knowledge import router
from helpdesk.kb_seed import SEED_ARTICLES, knowledge_seed
from helpdesk.knowledge import (
    ArticleNotFound,
    QueryTooShort,
    article_create,
    article_get,
    article_save,
    article_search,
    article_suggest,
    articles_by_slug,
)
from helpdesk.knowledge_search import fold_vietnamese, informative_terms
from helpdesk.models import Article

VNEID_ACTIVATION = "kich-hoat-tai-khoan-vneid-muc-2"
VNEID_PASSWORD = "quen-mat-khau-vneid"
BIRTH = "dang-ky-khai-sinh-truc-tuyen"

# The knowledge router on a test-only API that maps errors like config.api does.
kb_api = NinjaAPI(urls_namespace="kb_test")
kb_api.exception_handler(DomainError)(on_domain_error)
kb_api.exception_handler(NinjaValidationError)(on_validation_error)
kb_api.add_router("/kb/", router)
client = TestClient(kb_api)


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


# --- Folding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("Căn cước", "can cuoc"),
        ("ĐỊNH DANH", "dinh danh"),
        ("Thường trú, tạm trú", "thuong tru, tam tru"),
        ("Ứng dụng VNeID", "ung dung vneid"),
    ],
)
def test_fold_vietnamese_drops_marks_and_turns_d_with_stroke_into_d(text: str, folded: str) -> None:
    assert fold_vietnamese(text) == folded


def test_fold_vietnamese_handles_decomposed_input() -> None:
    # Some phone keyboards send "ế" as "e" + circumflex + acute.
    assert fold_vietnamese("Thế") == fold_vietnamese("Th\u0065\u0302\u0301") == "the"


def test_stopwords_keep_a_word_that_only_looks_like_one_without_marks() -> None:
    # "thế" (so) is a stopword, "thẻ" (a card) is not, though both fold to "the".
    words, _ = informative_terms("Làm thế nào khi thẻ bị khóa")
    assert words == ["khi", "the", "khoa"] or words == ["the", "khoa"]


# --- Search -------------------------------------------------------------------


@pytest.mark.django_db
def test_search_finds_the_vneid_articles_by_the_app_name() -> None:
    found = slugs("vneid")
    assert VNEID_ACTIVATION in found
    assert VNEID_PASSWORD in found
    assert VNEID_ACTIVATION in slugs("cccd")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh", "đăng kí khai sinh"]
)
def test_search_finds_birth_registration_with_or_without_marks(query: str) -> None:
    assert slugs(query)[0] == BIRTH


@pytest.mark.django_db
def test_search_needs_every_word() -> None:
    assert BIRTH not in slugs("khai sinh lua dao")


@pytest.mark.django_db
def test_search_for_a_word_in_no_article_finds_nothing() -> None:
    assert slugs("máy gặt đập liên hợp") == []


@pytest.mark.django_db
def test_search_matches_words_by_their_start_not_inside_other_words() -> None:
    article_build(slug="bai-xe-ngua", title_vi="Bãi đỗ xe ngựa")
    assert slugs("bai ngua") == ["bai-xe-ngua"]
    assert slugs("ai ngua") == []


@pytest.mark.django_db
def test_search_filters_by_topic() -> None:
    article_build(slug="xe-lua", title_vi="Lịch tàu hỏa", topic_code="help_other")
    article_build(slug="xe-lua-lua-dao", title_vi="Vé tàu hỏa giả", topic_code="scam_message")
    assert slugs("tau hoa", topic_code="scam_message") == ["xe-lua-lua-dao"]
    assert sorted(slugs("tau hoa")) == ["xe-lua", "xe-lua-lua-dao"]


@pytest.mark.django_db
def test_unpublished_articles_are_never_shown() -> None:
    article_build(slug="nhap", title_vi="Bản nháp về trâu bò", is_published=False)
    assert slugs("trau bo") == []
    assert article_suggest(text="trâu bò bị ốm", topic_code=None, language="vi") == []
    assert articles_by_slug(slugs=["nhap"], language="vi") == {}
    with pytest.raises(ArticleNotFound):
        article_get(slug="nhap", language="vi")


@pytest.mark.django_db
def test_english_query_finds_the_english_title() -> None:
    hits = article_search(query="forgot password", language="en")
    assert hits[0].slug == VNEID_PASSWORD
    assert hits[0].title == "I forgot my VNeID password"
    assert "Forgot password" in hits[0].snippet


@pytest.mark.django_db
def test_search_ranks_title_matches_before_body_matches() -> None:
    # Slugs sort the other way round, so only the rank can order them.
    article_build(slug="a-trong-bai", title_vi="Giấy tờ", body_vi="Cách xin giấy phép xây dựng.")
    article_build(slug="b-o-tieu-de", title_vi="Giấy phép xây dựng nhà ở")
    assert slugs("giay phep xay dung") == ["b-o-tieu-de", "a-trong-bai"]


@pytest.mark.django_db
def test_search_is_one_query(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(1):
        hits = article_search(query="tai khoan", language="vi")
    assert len(hits) >= 3


@pytest.mark.parametrize("query", ["", " ", "a", " đ "])
def test_search_refuses_a_query_under_two_letters(query: str) -> None:
    with pytest.raises(QueryTooShort):
        article_search(query=query, language="vi")


@pytest.mark.django_db
def test_search_snippet_shows_the_text_around_the_match() -> None:
    body = "Đoạn mở đầu rất dài. " * 20 + "Cuối cùng mới nói tới cầu treo bị hỏng."
    article_build(slug="cau", title_vi="Thông báo", body_vi=body)
    (hit,) = article_search(query="cau treo", language="vi")
    assert "cầu treo" in hit.snippet
    assert hit.snippet.startswith("…")


# --- Suggestions while typing ---------------------------------------------------


@pytest.mark.django_db
def test_suggest_offers_vneid_activation_for_a_typed_question() -> None:
    hits = article_suggest(
        text="Làm sao để kích hoạt tài khoản định danh điện tử?",
        topic_code="vneid_account",
        language="vi",
    )
    assert hits[0].slug == VNEID_ACTIVATION


@pytest.mark.django_db
def test_suggest_finds_the_article_even_under_another_topic() -> None:
    hits = article_suggest(
        text="có người gọi điện xưng công an bắt chuyển tiền",
        topic_code="help_other",
        language="vi",
    )
    assert hits[0].slug == "nhan-biet-tin-nhan-cuoc-goi-lua-dao"


@pytest.mark.django_db
def test_suggest_ignores_stopwords(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(0):
        assert article_suggest(text="tôi làm thế nào?", topic_code=None, language="vi") == []


# --- Services and seed ----------------------------------------------------------


@pytest.mark.django_db
def test_saving_an_article_refreshes_its_search_text() -> None:
    article = article_build(slug="doi-ten", title_vi="Cũ")
    article.title_vi = "Hướng dẫn nuôi ong"
    article_save(article=article)
    assert slugs("nuoi ong") == ["doi-ten"]


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


# --- HTTP API ---------------------------------------------------------------------


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
