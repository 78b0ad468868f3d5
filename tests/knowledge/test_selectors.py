"""Knowledge base reads: diacritics-free search and suggestions while typing.

The seed articles are loaded by migration helpdesk 0003_article, so these tests
also check that the real help content is findable the way residents type.
"""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from knowledge.errors import ArticleNotFound, QueryTooShort
from knowledge.search import informative_terms
from knowledge.selectors import article_get, article_search, article_suggest, articles_by_slug
from tests.knowledge.articles import BIRTH, VNEID_ACTIVATION, VNEID_PASSWORD, article_build, slugs


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


@pytest.mark.django_db
def test_suggest_counts_the_chosen_topic_as_a_word_of_the_question() -> None:
    """Under birth registration, "...wants to register her grandson's birth"
    matched "birth" alone ("register" is not "registering") and was offered
    nothing (a helper's walk in English)."""
    text = "Grandmother Hoa wants to register her grandson's birth, he was born last month at home"
    hits = article_suggest(text=text, topic_code="birth_residence_registration", language="en")
    assert [hit.slug for hit in hits][:1] == ["dang-ky-khai-sinh-truc-tuyen"]
    # Without the topic one word is not enough.
    elsewhere = article_suggest(text=text, topic_code=None, language="en")
    assert "dang-ky-khai-sinh-truc-tuyen" not in [hit.slug for hit in elsewhere]


def test_an_english_questions_pronouns_and_stray_letters_are_not_its_words() -> None:
    words, pairs = informative_terms("My mother wants to register her grandson's birth")
    assert words == ["mother", "register", "grandson", "birth"]
    assert pairs == [("grandson", "birth")]
