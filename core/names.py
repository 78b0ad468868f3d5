"""Names in the reader's language, and the order a reader looks for them in.

One rule for every app: Vietnamese by default; an English name is shown only
when the active language is English and the English name is filled in. And
one order for lists of names (sort_key). helpdesk/names.py applies the rule
to the case core's things; the public commune finder (geo/views.py) to places.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from django.utils.translation import get_language


def localized(vietnamese: str, english: str) -> str:
    if english and (get_language() or "vi").startswith("en"):
        return english
    return vietnamese


# Vietnamese letters made with a mark, each after its plain letter (a ă â,
# e ê, o ô ơ, u ư), and đ after d; the tones come second: no tone, huyền,
# hỏi, ngã, sắc, nặng (the dictionary order).
_LETTER_MARKS: Final = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
_TONE_MARKS: Final = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_D_WITH_STROKE: Final = "đ"

type SortKey = tuple[bool, tuple[tuple[str, int], ...], tuple[int, ...], str]


def sort_key(name: str | None) -> SortKey:
    """Order names as a Vietnamese reader looks for them: "Đại Từ" after "Dương"
    and before "Phan", where the characters' code points put every Đ after Z.
    The database's collation cannot be relied on for it (C.UTF-8 here, whatever
    a host was set up with elsewhere), so lists sorted in Python use this.
    English names, plain letters, sort as they would anyway (case aside).
    None (no commune, no department) comes after every name."""
    if name is None:
        return True, (), (), ""
    letters: list[tuple[str, int]] = []
    tones: list[int] = []
    for char in unicodedata.normalize("NFD", name.casefold()):
        if char in _LETTER_MARKS and letters:
            letters[-1] = (letters[-1][0], _LETTER_MARKS[char])
        elif char in _TONE_MARKS and tones:
            tones[-1] = _TONE_MARKS[char]
        else:
            letters.append(("d", 4) if char == _D_WITH_STROKE else (char, 0))
            tones.append(0)
    return False, tuple(letters), tuple(tones), name
