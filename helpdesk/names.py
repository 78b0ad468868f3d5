"""Names in the reader's language: Vietnamese by default, English when active and known.

One rule for the API, the pages, the console and the public map: an English
name is shown only when the active language is English and the English name
is filled in. And one order for lists of names (sort_key).
"""

from __future__ import annotations

import unicodedata
from typing import Final

from django.utils.translation import get_language

from geo.models import AdminUnit
from helpdesk.models import Department, Service, TicketStatus


def localized(vietnamese: str, english: str) -> str:
    if english and (get_language() or "vi").startswith("en"):
        return english
    return vietnamese


def service_name(service: Service) -> str:
    return localized(service.name, service.name_en)


def unit_name(unit: AdminUnit) -> str:
    return localized(unit.full_name, unit.full_name_en)


def unit_short_name(unit: AdminUnit) -> str:
    """The name without its kind ("Ba Đình", not "Phường Ba Đình"), for narrow
    columns where the heading already says "Commune"."""
    return localized(unit.name, unit.name_en)


def department_name(department: Department) -> str:
    return localized(department.name, department.name_en)


def status_labels() -> dict[str, str]:
    """Each case status's label in the active language, translated once for a
    list: a lazy label made and translated per row was a measurable part of a
    100-row page (bench/queue_scale.py). Read with ``.get(status, status)``, so
    a status the code no longer knows shows as itself rather than failing."""
    return {value: str(label) for value, label in TicketStatus.choices}


# Vietnamese letters made with a mark, each after its plain letter (a ă â,
# e ê, o ô ơ, u ư), and đ after d; the tones come second: no tone, huyền,
# hỏi, ngã, sắc, nặng (the dictionary order).
_LETTER_MARKS: Final = {"\u0306": 1, "\u0302": 2, "\u031b": 3}
_TONE_MARKS: Final = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_D_WITH_STROKE: Final = "đ"

type SortKey = tuple[tuple[tuple[str, int], ...], tuple[int, ...], str]


def sort_key(name: str) -> SortKey:
    """Order names as a Vietnamese reader looks for them: "Đại Từ" after "Dương"
    and before "Phan", where the characters' code points put every Đ after Z.
    The database's collation cannot be relied on for it (C.UTF-8 here, whatever
    a host was set up with elsewhere), so lists sorted in Python use this.
    English names, plain letters, sort as they would anyway (case aside)."""
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
    return tuple(letters), tuple(tones), name
