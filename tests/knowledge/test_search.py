"""Diacritics-free folding and the informative words of free text (no database)."""

from __future__ import annotations

import pytest

from knowledge.search import fold_vietnamese, informative_terms


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
    assert words == ["the", "khoa"]  # "khi" (when) is a stopword too
