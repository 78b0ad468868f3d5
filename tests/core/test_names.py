"""Lists of names in the order a Vietnamese reader looks for them."""

from __future__ import annotations

from core.names import sort_key


def test_vietnamese_letters_follow_their_plain_letter_and_tones_come_second() -> None:
    shuffled = [
        "Phan Đình Phùng",
        "Ưng",
        "Đại Từ",
        "Bạc",
        "Dương",
        "Ơn",
        "Ăn",
        "Bác",
        "Dz",
        "An Khánh",
        "Bà",
        "Ô Diên",
        "Âu Cơ",
        "ba",
        "Uông",
        "Vũ",
    ]
    assert sorted(shuffled, key=sort_key) == [
        "An Khánh",
        "Ăn",
        "Âu Cơ",
        "ba",
        "Bà",
        "Bác",
        "Bạc",
        "Dương",
        "Dz",
        "Đại Từ",
        "Ô Diên",
        "Ơn",
        "Phan Đình Phùng",
        "Uông",
        "Ưng",
        "Vũ",
    ]


def test_english_names_sort_as_plain_text_whatever_the_case() -> None:
    names = ["phu Luong", "Dai Tu", "Phan Dinh Phung", "an Khanh"]
    assert sorted(names, key=sort_key) == sorted(names, key=str.casefold)
