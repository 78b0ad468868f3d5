from __future__ import annotations

import pytest
from pytest_django import Settings

from sms_intake.communes import commune_find

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("05830 duong hong", "05830", 1),
        ("dai tu duong hong", "05830", 2),
        ("DAI TU duong hong", "05830", 2),
        ("Đại Từ đường hỏng", "05830", 2),
        ("xa dai tu duong hong", "05830", 3),
        ("phuong phan dinh phung den hong", "05443", 4),
        ("phan dinh phung den hong", "05443", 3),
        ("p. phan dinh phung den hong", "05443", 4),
        ("phan dinh phun den hong", "05443", 3),  # a letter missing
        ("dai tuu duong hong", "05830", 2),  # a letter too many
    ],
)
def test_communes_are_found_without_marks_case_or_type_words_and_with_small_typos(
    text: str, code: str, words: int
) -> None:
    match = commune_find(text.split())
    assert match is not None
    assert (match.commune.code, match.words) == (code, words)


@pytest.mark.parametrize("text", ["duong hong qua", "99999 duong hong", "hello"])
def test_no_commune_in_words_that_name_none(text: str) -> None:
    assert commune_find(text.split()) is None


def test_a_whole_answer_must_be_only_the_commune() -> None:
    assert commune_find(["dai", "tu"], whole=True) is not None
    assert commune_find(["dai", "tu", "duong", "hong"], whole=True) is None


def test_only_the_deployments_provinces_are_searched(settings: Settings) -> None:
    settings.XADESK_PROVINCES = ["20"]  # Lạng Sơn: no Đại Từ there
    assert commune_find(["dai", "tu", "duong"]) is None
    settings.XADESK_PROVINCES = ["19", "20"]
    assert commune_find(["dai", "tu", "duong"]) is not None
