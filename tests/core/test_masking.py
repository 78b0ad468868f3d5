"""Numbers and addresses a resident types are hidden from the public."""

from __future__ import annotations

import pytest

from core.masking import mask_text


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("Gọi 0912 345 678 nhé", ["0912", "345", "678"], ["Gọi", "nhé"]),
        ("SĐT +84912345678", ["84912345678"], ["SĐT"]),
        ("CCCD 001203004567", ["001203004567", "0012"], ["CCCD"]),
        ("số nhà 12/3 ngõ 45, hẻm 7B", ["12/3", "45", "7B"], ["số nhà", "ngõ", "hẻm"]),
        ("Nhà 9 cạnh chợ", ["9"], ["Nhà", "cạnh chợ"]),
        ("viết cho lan.nguyen@gmail.com", ["lan.nguyen", "gmail"], ["viết cho"]),
    ],
)
def test_identifying_numbers_are_masked(text: str, hidden: list[str], kept: list[str]) -> None:
    masked = mask_text(text)
    for part in hidden:
        assert part not in masked
    for part in kept:
        assert part in masked


def test_places_many_families_share_and_short_numbers_stay() -> None:
    text = "Thôn 3, xóm 2, đường 14, ngày 12/03, 5 người bị ngã"
    assert mask_text(text) == text
